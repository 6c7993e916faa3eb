package io.qtx.kit;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delays that double from {@code min} to {@code max}. With a random source each delay is drawn
 * uniformly from [delay/2, delay], so that a host whose VMs all went away together does not
 * reconnect to all of them in lockstep; without one the delays are exact (a guest has one
 * port, nothing to spread). Not thread-safe: one owner, usually the event loop.
 */
public final class Backoff {

    private final long minNanos;
    private final long maxNanos;
    /** Null for exact delays. */
    private final RandomGenerator random;
    private long current;

    private Backoff(Duration min, Duration max, RandomGenerator random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("min=" + min + " max=" + max);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
        this.current = minNanos;
    }

    /** Doubling delays, each drawn from [delay/2, delay]. */
    public static Backoff jittered(Duration min, Duration max, RandomGenerator random) {
        return new Backoff(min, max, random);
    }

    /** Doubling delays without jitter: min, 2·min, 4·min, ... max, max. */
    public static Backoff exact(Duration min, Duration max) {
        return new Backoff(min, max, null);
    }

    /** The delay to wait now; the next one doubles, up to the ceiling. */
    public Duration next() {
        long ceiling = current;
        current = Math.min(maxNanos, current > maxNanos / 2 ? maxNanos : current * 2);
        if (random == null) {
            return Duration.ofNanos(ceiling);
        }
        long floor = Math.max(minNanos / 2, ceiling / 2);
        return Duration.ofNanos(floor + random.nextLong(ceiling - floor + 1));
    }

    /** Back to the first delay: the thing waited for worked. */
    public void reset() {
        current = minNanos;
    }
}
