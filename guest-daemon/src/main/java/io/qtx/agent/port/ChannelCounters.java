package io.qtx.agent.port;

import io.qtx.framing.ReaderStats;
import io.qtx.proto.AgentCounters;
import io.qtx.session.FramedChannel;

/**
 * The agent's channel counters, cumulative over every session since the process started:
 * a closed session's figures are folded in, the live one's added on read. Loop thread only.
 */
final class ChannelCounters {

    private long reconnects;
    private long writeTimeouts;
    private long framesReceived;
    private long framesSent;
    private long resyncs;
    private long bytesSkipped;

    void reconnected() {
        reconnects++;
    }

    /** Folds in a session's channel as it closes. */
    void fold(FramedChannel channel) {
        ReaderStats s = channel.readerStats();
        writeTimeouts += channel.writeTimeouts();
        framesReceived += channel.framesReceived();
        framesSent += channel.framesSent();
        resyncs += s.resyncs();
        bytesSkipped += s.bytesSkipped();
    }

    AgentCounters.Builder snapshot(FramedChannel live) {
        AgentCounters.Builder b = AgentCounters.newBuilder().setReconnects(reconnects).setWriteTimeouts(writeTimeouts)
                .setFramesReceived(framesReceived).setFramesSent(framesSent).setResyncs(resyncs)
                .setBytesSkipped(bytesSkipped);
        if (live != null) {
            ReaderStats s = live.readerStats();
            b.setWriteTimeouts(writeTimeouts + live.writeTimeouts())
                    .setFramesReceived(framesReceived + live.framesReceived())
                    .setFramesSent(framesSent + live.framesSent())
                    .setResyncs(resyncs + s.resyncs())
                    .setBytesSkipped(bytesSkipped + s.bytesSkipped());
        }
        return b;
    }
}
