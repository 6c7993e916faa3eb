package io.qtx.agent.port;

import io.qtx.proto.AgentCounters;
import io.qtx.session.SessionCounters;

/**
 * The agent's channel counters, cumulative over every session since the process started:
 * a closed session's figures are folded in, the live one's added on read. Loop thread only.
 */
final class ChannelCounters {

    private long reconnects;
    /** The sessions that have closed, summed. */
    private SessionCounters closed = SessionCounters.ZERO;

    void reconnected() {
        reconnects++;
    }

    /** Folds in a session's counters as it closes. */
    void fold(SessionCounters session) {
        closed = session.plus(closed);
    }

    /** @param live the open session's counters, or null when none is open */
    AgentCounters.Builder snapshot(SessionCounters live) {
        SessionCounters c = live == null ? closed : live.plus(closed);
        return AgentCounters.newBuilder().setReconnects(reconnects).setWriteTimeouts(c.writeTimeouts())
                .setFramesReceived(c.framesReceived()).setFramesSent(c.framesSent()).setResyncs(c.resyncs())
                .setBytesSkipped(c.bytesSkipped());
    }
}
