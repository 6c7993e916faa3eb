package io.qtx.session;

import io.qtx.framing.ResyncReason;

/**
 * A session's counters at one moment, immutable: what its owner reports and judges, without
 * reaching into the channel. Every count is cumulative since the session was made;
 * {@link #plus} adds an earlier session's, so an owner can keep one total over reconnections.
 *
 * @param framesReceived frames decoded and accepted
 * @param framesSent frames queued for writing
 * @param framesRefused frames not queued: the outbound queue was full
 * @param payloadBytesReceived payload bytes of the frames accepted (headers not counted)
 * @param bytesSent bytes written to the transport, frame headers included
 * @param bytesSkipped bytes dropped while looking for a frame
 * @param resyncsByReason frames given up, indexed by {@link ResyncReason#ordinal()} (a copy; never shared)
 * @param discardedBeforeReady envelopes that arrived before the handshake and were dropped
 * @param handshakes Hellos sent
 * @param writeTimeouts times queued bytes waited over the write timeout
 * @param pendingOutboundBytes queued and not yet written (a level, not a count)
 * @param envelopesRefused payloads that framed but were refused: not an envelope, unusable, or
 *        over the structural limits ({@code overLimits} of them)
 * @param lastOverLimit what the last payload refused for its limits broke, or null; the peer's
 *        doing, so escape it before showing it
 * @param throttles times reading paused because the peer went over a rate
 * @param throttled reading is paused right now (a level, not a count)
 * @param budgetYields loop turns that ended with the per-wake-up budget spent
 * @param pingsRefused pings and Hellos over their rate, not answered
 */
public record SessionCounters(long framesReceived, long framesSent, long framesRefused, long payloadBytesReceived,
                              long bytesSent, long bytesSkipped, long[] resyncsByReason, long discardedBeforeReady,
                              long handshakes, long writeTimeouts, int pendingOutboundBytes, long envelopesRefused,
                              long overLimits, String lastOverLimit, long throttles, boolean throttled,
                              long budgetYields, long pingsRefused) {

    /** Nothing counted yet: the total before the first session. */
    public static final SessionCounters ZERO = new SessionCounters(0, 0, 0, 0, 0, 0,
            new long[ResyncReason.values().length], 0, 0, 0, 0, 0, 0, null, 0, false, 0, 0);

    public SessionCounters {
        if (resyncsByReason.length != ResyncReason.values().length) {
            throw new IllegalArgumentException("resyncsByReason.length=" + resyncsByReason.length);
        }
        resyncsByReason = resyncsByReason.clone();
    }

    @Override
    public long[] resyncsByReason() {
        return resyncsByReason.clone();
    }

    /** Frames given up for {@code reason}. */
    public long resyncs(ResyncReason reason) {
        return resyncsByReason[reason.ordinal()];
    }

    /** Frames given up, whatever the reason. */
    public long resyncs() {
        long sum = 0;
        for (long r : resyncsByReason) {
            sum += r;
        }
        return sum;
    }

    /**
     * This session's counts added to {@code earlier}'s: the counts sum; the levels
     * (pending bytes, throttled) and the last over-limit text are this session's own.
     */
    public SessionCounters plus(SessionCounters earlier) {
        long[] sum = resyncsByReason.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += earlier.resyncsByReason[i];
        }
        return new SessionCounters(framesReceived + earlier.framesReceived, framesSent + earlier.framesSent,
                framesRefused + earlier.framesRefused, payloadBytesReceived + earlier.payloadBytesReceived,
                bytesSent + earlier.bytesSent, bytesSkipped + earlier.bytesSkipped, sum,
                discardedBeforeReady + earlier.discardedBeforeReady, handshakes + earlier.handshakes,
                writeTimeouts + earlier.writeTimeouts, pendingOutboundBytes, envelopesRefused + earlier.envelopesRefused,
                overLimits + earlier.overLimits, lastOverLimit, throttles + earlier.throttles, throttled,
                budgetYields + earlier.budgetYields, pingsRefused + earlier.pingsRefused);
    }
}
