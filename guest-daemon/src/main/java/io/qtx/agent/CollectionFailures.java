package io.qtx.agent;

import java.time.Duration;

/**
 * Logs telemetry collection failures without flooding the journal: the first at once, then
 * at most one line per {@code every}, saying how many went unlogged in between.
 */
final class CollectionFailures {

    private static final System.Logger LOG = System.getLogger(TelemetryPump.class.getName());

    private final long everyNanos;
    private long total;
    private long unlogged;
    private long lastLogNanos;
    private boolean logged;

    CollectionFailures(Duration every) {
        this.everyNanos = every.toNanos();
    }

    /** Returns whether this one was logged. */
    synchronized boolean failed(Throwable e) {
        total++;
        long now = System.nanoTime();
        if (logged && now - lastLogNanos < everyNanos) {
            unlogged++;
            return false;
        }
        LOG.log(System.Logger.Level.WARNING, "telemetry collection failed, that report is dropped"
                + (unlogged > 0 ? " (" + unlogged + " more failures since the last line)" : "") + ": " + e, e);
        logged = true;
        lastLogNanos = now;
        unlogged = 0;
        return true;
    }

    synchronized long total() {
        return total;
    }
}
