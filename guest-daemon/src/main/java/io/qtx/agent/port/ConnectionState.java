package io.qtx.agent.port;

/** Where the agent's channel stands; every change is logged and told to systemd as STATUS. */
public enum ConnectionState {
    /** No port device (or socket) to open yet. */
    WAITING_FOR_PORT("waiting for port"),
    /** The port is open; no host client is connected to its other end. */
    WAITING_FOR_HOST("waiting for host"),
    /** A host is there; our Hello is out and nothing is acted on until it is answered. */
    HANDSHAKE("handshake"),
    /** Handshake done: requests are served and telemetry flows. */
    RUNNING("running"),
    /** Shut down. */
    STOPPED("stopped");

    private final String text;

    ConnectionState(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}
