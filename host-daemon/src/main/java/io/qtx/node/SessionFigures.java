package io.qtx.node;

import io.qtx.framing.ReaderStats;
import io.qtx.session.Session;

/** A session's channel counters at one moment, for the API and qxctl doctor. */
public record SessionFigures(long framesReceived, long framesSent, long framesRefused, long resyncs,
                             long bytesSkipped, long discardedBeforeReady, long handshakes, long writeTimeouts,
                             int pendingOutboundBytes) {

    static SessionFigures of(Session s) {
        ReaderStats r = s.channel().readerStats();
        return new SessionFigures(s.channel().framesReceived(), s.channel().framesSent(), s.channel().framesRefused(),
                r.resyncs(), r.bytesSkipped(), s.discardedBeforeReady(), s.handshakes(), s.channel().writeTimeouts(),
                s.channel().pendingOutboundBytes());
    }
}
