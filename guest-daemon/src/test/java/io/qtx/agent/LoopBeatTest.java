package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LoopBeatTest {

    @Test
    void lateOnlyOnceABeatIsHalfAPeriodOverdue() throws Exception {
        LoopBeat beat = new LoopBeat(Duration.ofHours(1));
        assertFalse(beat.late(), "just started: not late");
        LoopBeat fast = new LoopBeat(Duration.ofMillis(20));
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!fast.late() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(fast.late(), "a loop that stopped beating is late");
        fast.beat();
        assertFalse(fast.late(), "a beat puts it right");
    }
}
