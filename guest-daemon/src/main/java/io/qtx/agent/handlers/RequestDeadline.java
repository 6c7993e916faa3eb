package io.qtx.agent.handlers;

import io.qtx.proto.Request;
import io.qtx.session.PeerClock;

/**
 * The one place the agent decides whether a request is still wanted. A request's deadline is
 * in the agent's own monotonic clock (requests.proto, {@code deadline_agent_ms}; the host did
 * the conversion from round trips), so nothing here converts and no wall clock is read: a
 * guest clock that is an hour off, or stepped by {@code date -s} or set_time, changes nothing.
 * Every check (on arrival, and again when a worker takes a queued request) calls this.
 */
public final class RequestDeadline {

    private RequestDeadline() {
    }

    /** The agent's clock, in ms: the clock deadlines are written in. */
    public static long nowMs() {
        return PeerClock.nowMs();
    }

    /** Milliseconds left before {@code request}'s deadline; zero or less once it has passed. */
    public static long leftMs(Request request) {
        return request.getDeadlineAgentMs() - nowMs();
    }

    /** True when the host has given up on {@code request}: it must never run. */
    public static boolean expired(Request request) {
        return leftMs(request) <= 0;
    }
}
