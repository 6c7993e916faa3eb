package io.qtx.node;

import java.util.Locale;

import io.qtx.proto.Request;

/**
 * What a tracked envelope is: a request of one proto kind, or a ping sent for one purpose.
 * Typed, so qx-node tells its own liveness pings from a caller's by kind, never by their text.
 *
 * @param name how logs, errors and latency labels name it ("exec request", "heartbeat ping")
 */
record RequestKind(Purpose purpose, String name) {

    /** Why the envelope was sent. */
    enum Purpose {
        /** A caller's request to the agent. */
        REQUEST,
        /** A caller's ping (the API's agent/ping). */
        API_PING,
        /** {@link Liveness}'s probe. */
        PROBE,
        /** The heartbeat's ping, also refreshing the clock samples. */
        HEARTBEAT
    }

    static final RequestKind API_PING = new RequestKind(Purpose.API_PING, "ping");
    static final RequestKind PROBE = new RequestKind(Purpose.PROBE, "probe ping");
    static final RequestKind HEARTBEAT = new RequestKind(Purpose.HEARTBEAT, "heartbeat ping");

    /** A request named after its proto case: "exec request", "stat request". */
    static RequestKind of(Request.KindCase kind) {
        return new RequestKind(Purpose.REQUEST, kind.name().toLowerCase(Locale.ROOT) + " request");
    }

    /**
     * One of qx-node's own liveness pings: its silence is judged by the heartbeat or the probe's
     * own callback, so its timeout must not start another probe.
     */
    boolean isLivenessPing() {
        return purpose == Purpose.PROBE || purpose == Purpose.HEARTBEAT;
    }

    @Override
    public String toString() {
        return name;
    }
}
