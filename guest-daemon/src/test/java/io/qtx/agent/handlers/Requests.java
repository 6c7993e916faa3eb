package io.qtx.agent.handlers;

import io.qtx.proto.Request;

/** Small helpers for handler tests. */
public final class Requests {

    private Requests() {
    }

    /** A context with a 1 MiB reply and a minute to go. */
    public static RequestContext context() {
        return new RequestContext(1 << 20, System.nanoTime() + 60_000_000_000L);
    }

    public static Request.Builder request() {
        return Request.newBuilder().setDeadlineAgentMs(RequestDeadline.nowMs() + 60_000);
    }
}
