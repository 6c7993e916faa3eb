package io.qtx.node;

/** Where qx-node stands with one VM's agent socket. Every change is logged and published. */
public enum VmState {
    /** The socket file was seen; nothing tried yet. */
    DISCOVERED,
    /** connect(2) issued. */
    CONNECTING,
    /** Connected and our Hello sent; waiting for the agent's answer. */
    HANDSHAKING,
    /**
     * Connected, but QEMU never reads what we write: another client holds QEMU's one-client
     * socket and the kernel parked us in its listen backlog. Clears by itself when it leaves.
     */
    NOT_SERVED,
    /** Handshake through; requests are served. */
    READY,
    /** Was ready, but neither telemetry nor a pong came within the heartbeat bound. */
    UNRESPONSIVE,
    /**
     * Quarantined: the guest kept exceeding its limits, sent garbage, never completed a
     * handshake or kept failing liveness. The connection is closed; the message names the
     * reason and figures and when the next attempt is (a growing back-off).
     */
    MISBEHAVING,
    /** The connection closed or connecting failed; every pending request has failed. */
    DISCONNECTED,
    /** Waiting (jittered backoff) before the next connect. */
    RECONNECTING,
    /** The socket file went away; the VM is forgotten. */
    REMOVED;

    /** Lower-case name for JSON and the CLI. */
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The state called {@code json} (as {@link #json()} writes it), or null for a name this build does not know. */
    public static VmState fromJson(String json) {
        for (VmState state : values()) {
            if (state.json().equals(json)) {
                return state;
            }
        }
        return null;
    }
}
