package io.qtx.node;

import io.qtx.framing.ReaderStats;
import io.qtx.framing.ResyncReason;
import io.qtx.session.FramedChannel;
import io.qtx.session.Session;

/**
 * A VM's channel counters over every connection qx-node made to it, so they only ever grow
 * (what Prometheus wants of a counter); {@link SessionFigures} is the current connection alone.
 *
 * @param payloadBytesReceived payload bytes of the frames accepted (headers not counted)
 * @param bytesSent bytes written to the socket, frame headers included
 * @param resyncs frames given up, indexed by {@link ResyncReason#ordinal()}
 */
public record ChannelCounters(long framesReceived, long framesSent, long payloadBytesReceived, long bytesSent,
                              long bytesSkipped, long[] resyncs, long handshakes, long writeTimeouts) {

    static final ChannelCounters ZERO = new ChannelCounters(0, 0, 0, 0, 0, new long[ResyncReason.values().length], 0, 0);

    static ChannelCounters of(Session s) {
        FramedChannel c = s.channel();
        ReaderStats r = c.readerStats();
        long[] resyncs = new long[ResyncReason.values().length];
        for (ResyncReason reason : ResyncReason.values()) {
            resyncs[reason.ordinal()] = r.resyncs(reason);
        }
        return new ChannelCounters(c.framesReceived(), c.framesSent(), r.payloadBytes(), c.bytesSent(),
                r.bytesSkipped(), resyncs, s.handshakes(), c.writeTimeouts());
    }

    ChannelCounters plus(ChannelCounters o) {
        long[] sum = resyncs.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += o.resyncs[i];
        }
        return new ChannelCounters(framesReceived + o.framesReceived, framesSent + o.framesSent,
                payloadBytesReceived + o.payloadBytesReceived, bytesSent + o.bytesSent, bytesSkipped + o.bytesSkipped,
                sum, handshakes + o.handshakes, writeTimeouts + o.writeTimeouts);
    }

    public long resyncs(ResyncReason reason) {
        return resyncs[reason.ordinal()];
    }
}
