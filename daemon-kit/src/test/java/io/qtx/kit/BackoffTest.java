package io.qtx.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void jitteredDoublesWithinHalfToWholeUpToItsCeilingAndResets() {
        Backoff b = Backoff.jittered(Duration.ofMillis(100), Duration.ofSeconds(1), new Random(1));
        long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000};
        for (long ceiling : ceilings) {
            long d = b.next().toMillis();
            assertTrue(d >= ceiling / 2 && d <= ceiling, d + " outside [" + ceiling / 2 + ", " + ceiling + "]");
        }
        b.reset();
        assertTrue(b.next().toMillis() <= 100);
        Backoff other = Backoff.jittered(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(2));
        Backoff third = Backoff.jittered(Duration.ofMillis(100), Duration.ofSeconds(10), new Random(3));
        for (int i = 0; i < 4; i++) {
            other.next();
            third.next();
        }
        assertNotEquals(other.next(), third.next(), "jitter spreads reconnects of many VMs");
    }

    @Test
    void exactDoublesToItsCeilingAndResets() {
        Backoff b = Backoff.exact(Duration.ofSeconds(1), Duration.ofSeconds(30));
        long[] expected = {1, 2, 4, 8, 16, 30, 30};
        for (long seconds : expected) {
            assertEquals(Duration.ofSeconds(seconds), b.next());
        }
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
        Backoff fixed = Backoff.exact(Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertEquals(fixed.next(), fixed.next(), "a floor equal to the ceiling is a fixed period");
    }

    @Test
    void aCeilingNearTheLimitDoesNotOverflow() {
        Backoff b = Backoff.exact(Duration.ofNanos(Long.MAX_VALUE / 2 + 1), Duration.ofNanos(Long.MAX_VALUE));
        b.next();
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), b.next());
    }

    @Test
    void aZeroFloorOrACeilingBelowItIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Backoff.jittered(Duration.ZERO, Duration.ofSeconds(1), new Random()));
        assertThrows(IllegalArgumentException.class, () -> Backoff.exact(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
