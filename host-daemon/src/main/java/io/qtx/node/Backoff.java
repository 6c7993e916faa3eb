package io.qtx.node;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code min} to {@code max}, each drawn uniformly from
 * [delay/2, delay] so that a host with many VMs whose QEMUs all went away together does not
 * reconnect to all of them in lockstep.
 */
final class Backoff {

    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private long current;

    Backoff(Duration min, Duration max, RandomGenerator random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("min=" + min + " max=" + max);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
        this.current = minNanos;
    }

    Duration next() {
        long ceiling = current;
        current = Math.min(maxNanos, current * 2);
        long floor = Math.max(minNanos / 2, ceiling / 2);
        return Duration.ofNanos(floor + random.nextLong(ceiling - floor + 1));
    }

    void reset() {
        current = minNanos;
    }
}
