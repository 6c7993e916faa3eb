package io.qtx.node;

import io.qtx.framing.ReaderStats;
import io.qtx.session.FramedChannel;
import io.qtx.session.Session;

/**
 * A session's channel counters at one moment, for the API and qxctl doctor.
 *
 * @param envelopesRefused payloads that framed but were refused: not an envelope, unusable, or
 *        over the structural limits ({@code overLimits} of them)
 * @param throttles times reading paused because the guest went over a rate
 * @param budgetYields loop turns that ended with this VM's per-wake-up budget spent
 * @param pingsRefused pings and Hellos over their rate, not answered
 */
public record SessionFigures(long framesReceived, long framesSent, long framesRefused, long resyncs,
                             long bytesSkipped, long discardedBeforeReady, long handshakes, long writeTimeouts,
                             int pendingOutboundBytes, long envelopesRefused, long overLimits, String lastOverLimit,
                             long throttles, boolean throttled, long budgetYields, long pingsRefused) {

    static SessionFigures of(Session s) {
        FramedChannel c = s.channel();
        ReaderStats r = c.readerStats();
        return new SessionFigures(c.framesReceived(), c.framesSent(), c.framesRefused(), r.resyncs(), r.bytesSkipped(),
                s.discardedBeforeReady(), s.handshakes(), c.writeTimeouts(), c.pendingOutboundBytes(),
                c.envelopesRejected(), c.envelopesOverLimits(),
                c.lastOverLimit() == null ? null : GuestText.safe(c.lastOverLimit(), 256), c.throttles(),
                c.isThrottled(), c.budgetYields(), s.pingsRefused());
    }
}
