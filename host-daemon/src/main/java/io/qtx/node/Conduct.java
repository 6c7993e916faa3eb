package io.qtx.node;

import java.time.Duration;

import io.qtx.session.SessionCounters;

/**
 * How one VM's guest behaves, judged over a sliding window: rate-limit pauses, garbage (bytes
 * skipped and payloads refused), Hellos sent while the guest sends bytes but never completes a
 * handshake, unresponsive episodes, and telemetry refused. Past a threshold within the window
 * the VM is quarantined ({@link VmState#MISBEHAVING}): qx-node closes its connection and waits
 * {@link #nextQuarantine()} before the next attempt, doubling each time up to a maximum; a window
 * with no offence while ready forgives the doubling. Loop thread only.
 */
public final class Conduct {

    /** A VM's standing offence figures, cumulative for the VM's life in qx-node (for the API). */
    public record Figures(long throttles, long pingsRefused, long garbageBytes, long envelopesRefused,
                   long reportsRefused, long handshakesUnanswered, long unresponsiveEpisodes, long quarantines) {
    }

    /** The current or last quarantine, for the API. */
    public record Quarantine(String reason, long sinceUnixMs, long retryAtUnixMs, long count) {
    }

    private final GuestLimits limits;
    private long windowStartNanos;
    private long windowThrottles;
    private long windowGarbage;
    private long windowHandshakes;
    private long windowUnresponsive;
    private boolean windowClean = true;

    private long throttles;
    private long pingsRefused;
    private long garbageBytes;
    private long envelopesRefused;
    private long reportsRefused;
    private long handshakesUnanswered;
    private long unresponsiveEpisodes;
    private long quarantines;
    private Duration nextDelay;
    private Quarantine last;
    private long lastWarnNanos;
    private boolean warnedOnce;
    /** The current connection's counters as last sampled, or null. */
    private SessionCounters sampled;
    /** Of the current connection's Hellos, those already counted as unanswered. */
    private long unansweredCounted;

    Conduct(GuestLimits limits, long nowNanos) {
        this.limits = limits;
        this.windowStartNanos = nowNanos;
        this.nextDelay = limits.quarantineMin();
    }

    /** A new connection: its counters start from zero. */
    void newConnection() {
        sampled = null;
        unansweredCounted = 0;
    }

    /**
     * Adds what the connection counted since the last sample. {@code sessionReady}: the
     * handshake is through; before it, every Hello after the first that a guest sending bytes
     * in the same stretch leaves unanswered is an offence. Silence is not: that is an absent,
     * stopped or paused agent. The counters are the connection's, which outlives agents (QEMU's
     * socket stays up while the agent restarts), so only what the guest sent since the last
     * sample counts as speaking; Hellos sent while it was silent are never counted later.
     */
    void sample(SessionCounters now, boolean sessionReady) {
        SessionCounters before = sampled;
        throttled(now.throttles() - (before == null ? 0 : before.throttles()));
        garbage(now.bytesSkipped() - (before == null ? 0 : before.bytesSkipped()),
                now.envelopesRefused() - (before == null ? 0 : before.envelopesRefused()));
        pingsRefused(now.pingsRefused() - (before == null ? 0 : before.pingsRefused()));
        boolean guestSpoke = spoken(now) > (before == null ? 0 : spoken(before));
        long unanswered = Math.max(0, now.handshakes() - 1);
        if (!sessionReady && guestSpoke) {
            handshakeUnanswered(Math.max(0, unanswered - unansweredCounted));
        }
        unansweredCounted = Math.max(unansweredCounted, unanswered);
        sampled = now;
    }

    /** Everything the guest sent on the connection: frames, skipped bytes, refused envelopes. */
    private static long spoken(SessionCounters c) {
        return c.framesReceived() + c.bytesSkipped() + c.envelopesRefused();
    }

    /** The misbehaving state's message: the reason, the quarantine, and the figures. */
    String describe(String why, Duration delay) {
        return why + "; quarantine #" + quarantines + ", next attempt in " + delay.toSeconds() + " s (throttles "
                + throttles + ", garbage bytes " + garbageBytes + ", refused envelopes " + envelopesRefused
                + ", refused reports " + reportsRefused + ", unanswered hellos " + handshakesUnanswered
                + ", unresponsive " + unresponsiveEpisodes + ")";
    }

    void throttled(long n) {
        throttles += n;
        windowThrottles += n;
        dirty(n);
    }

    void pingsRefused(long n) {
        pingsRefused += n;
    }

    void garbage(long bytesSkipped, long envelopes) {
        garbageBytes += bytesSkipped;
        envelopesRefused += envelopes;
        windowGarbage += bytesSkipped + envelopes * GuestLimits.REFUSED_ENVELOPE_BYTES;
        dirty(bytesSkipped + envelopes);
    }

    void reportRefused() {
        reportsRefused++;
        windowGarbage += GuestLimits.REFUSED_ENVELOPE_BYTES;
        dirty(1);
    }

    void handshakeUnanswered(long n) {
        handshakesUnanswered += n;
        windowHandshakes += n;
        dirty(n);
    }

    void unresponsive() {
        unresponsiveEpisodes++;
        windowUnresponsive++;
        dirty(1);
    }

    private void dirty(long n) {
        if (n > 0) {
            windowClean = false;
        }
    }

    /**
     * Why the VM must be quarantined now, or null. Called now and then (the heartbeat); a
     * window that ends clean while {@code ready} forgives the back-off's doubling.
     */
    String judge(long nowNanos, boolean ready) {
        String why = null;
        if (windowThrottles >= limits.throttlesToQuarantine()) {
            why = "kept exceeding its rate limits (" + windowThrottles + " pauses within " + seconds() + ")";
        } else if (windowGarbage >= limits.garbageBytesToQuarantine()) {
            why = "sent garbage: " + windowGarbage + " bytes skipped or refused within " + seconds()
                    + " (not a qtx agent, or a damaged channel)";
        } else if (windowHandshakes >= limits.handshakesToQuarantine()) {
            why = "never completed a handshake: " + windowHandshakes + " hellos unanswered while the guest sends"
                    + " other bytes, within " + seconds();
        } else if (windowUnresponsive >= limits.unresponsiveToQuarantine()) {
            why = "failed liveness " + windowUnresponsive + " times within " + seconds()
                    + " (completes handshakes, then answers no ping)";
        }
        if (why != null || nowNanos - windowStartNanos >= limits.window().toNanos()) {
            if (why == null && windowClean && ready) {
                nextDelay = limits.quarantineMin();
            }
            windowStartNanos = nowNanos;
            windowThrottles = 0;
            windowGarbage = 0;
            windowHandshakes = 0;
            windowUnresponsive = 0;
            windowClean = true;
        }
        return why;
    }

    /** Records a quarantine; returns how long until the next connect. */
    Duration quarantine(String reason, long nowUnixMs) {
        Duration delay = nextDelay;
        Duration doubled = delay.multipliedBy(2);
        nextDelay = doubled.compareTo(limits.quarantineMax()) > 0 ? limits.quarantineMax() : doubled;
        quarantines++;
        last = new Quarantine(reason, nowUnixMs, nowUnixMs + delay.toMillis(), quarantines);
        return delay;
    }

    /** One WARNING per VM per {@link GuestLimits#warnEvery()}: a hostile guest must not flood the log. */
    boolean mayWarn(long nowNanos) {
        if (warnedOnce && nowNanos - lastWarnNanos < limits.warnEvery().toNanos()) {
            return false;
        }
        warnedOnce = true;
        lastWarnNanos = nowNanos;
        return true;
    }

    Figures figures() {
        return new Figures(throttles, pingsRefused, garbageBytes, envelopesRefused, reportsRefused,
                handshakesUnanswered, unresponsiveEpisodes, quarantines);
    }

    /** The current or last quarantine, or null if never. */
    Quarantine lastQuarantine() {
        return last;
    }

    private String seconds() {
        return limits.window().toSeconds() + " s";
    }
}
