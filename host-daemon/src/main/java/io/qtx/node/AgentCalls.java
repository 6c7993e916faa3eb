package io.qtx.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.qtx.proto.Envelope;
import io.qtx.proto.Ping;
import io.qtx.proto.Request;
import io.qtx.session.Session;

/**
 * What qx-node sends one VM's agent and waits for: requests, their deadline in the agent's
 * monotonic clock, and pings of every {@link RequestKind}; each tracked by the
 * {@link RequestTracker} until answered, timed out or failed. Loop thread only.
 */
final class AgentCalls {

    private final VmId id;
    /** The current session, or null when not connected. */
    private final Supplier<Session> session;
    private final VmStateLog log;
    private final RequestTracker requests;

    AgentCalls(VmId id, Supplier<Session> session, VmStateLog log, RequestTracker requests) {
        this.id = id;
        this.session = session;
        this.log = log;
        this.requests = requests;
    }

    /**
     * Sends a request and waits for its answer; fails at once unless the agent is ready. Its
     * deadline goes in the agent's monotonic clock, converted from the round-trip samples so it
     * is never later than this side's timer (requests.proto, deadline_agent_ms).
     */
    CompletableFuture<RequestTracker.Answer> request(Request.Builder request, RequestKind what, Duration timeout) {
        Session s = session.get();
        if (log.state() == VmState.READY && s != null && s.isReady() && s.peerClock().hasSample()) {
            request.setDeadlineAgentMs(s.peerDeadlineMs(timeout));
            if (request.hasSetTime() && request.getSetTime().getAtAgentMs() == 0) {
                // The caller's time is "now": pin it to the agent's clock so transit is added back.
                request.getSetTimeBuilder().setAtAgentMs(s.peerDeadlineMs(Duration.ZERO));
            }
        }
        return send(Envelope.newBuilder().setRequest(request), what, timeout, false);
    }

    /** A ping, which may go out while the session is up but the VM not (yet) ready. */
    CompletableFuture<RequestTracker.Answer> ping(RequestKind what, Duration timeout) {
        return send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()), what, timeout, true);
    }

    private CompletableFuture<RequestTracker.Answer> send(Envelope.Builder envelope, RequestKind what,
                                                          Duration timeout, boolean beforeReady) {
        Session s = session.get();
        VmState state = log.state();
        if (s == null || !s.isReady() || !beforeReady && state != VmState.READY
                || envelope.hasRequest() && !s.peerClock().hasSample()) {
            NodeException.Code code = state == VmState.UNRESPONSIVE ? NodeException.Code.AGENT_UNRESPONSIVE
                    : NodeException.Code.AGENT_NOT_READY;
            return CompletableFuture.failedFuture(new NodeException(code,
                    id + ": agent not ready (" + state.json() + ": " + log.message() + ")"));
        }
        long envelopeId = s.send(envelope, 0);
        if (envelopeId < 0) {
            return CompletableFuture.failedFuture(new NodeException(NodeException.Code.AGENT_BUSY,
                    id + ": outbound queue full; the agent is not reading"));
        }
        return requests.track(envelopeId, what, timeout);
    }
}
