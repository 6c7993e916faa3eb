package io.qtx.agent;

import java.time.Duration;

/**
 * When the event loop last sent the service manager its watchdog ping. The manager kills an
 * agent that misses two periods, and a killed agent thaws nothing: the freeze guard asks
 * {@link #late()} and thaws once a beat is half a period overdue.
 */
final class LoopBeat {

    private final long periodNanos;
    private volatile long lastNanos = System.nanoTime();

    LoopBeat(Duration period) {
        this.periodNanos = period.toNanos();
    }

    /** The loop thread, with each watchdog ping. */
    void beat() {
        lastNanos = System.nanoTime();
    }

    /** True once the next beat is half a period overdue (1.5 periods since the last). */
    boolean late() {
        return System.nanoTime() - lastNanos > periodNanos * 3 / 2;
    }
}
