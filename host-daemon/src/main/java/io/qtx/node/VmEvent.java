package io.qtx.node;

/**
 * What can happen to one VM's connection: the columns of {@link VmTransitions}. Each event also
 * says what it does to the served check, so that check is started and stopped in one place.
 */
enum VmEvent {
    /** A connect(2) is issued: first discovery, the back-off's timer, or a quarantine's end. */
    CONNECT(Served.NONE),
    /** connect(2) failed. */
    CONNECT_FAILED(Served.NONE),
    /** connect(2) completed; our Hello goes out. The check starts afresh. */
    CONNECTED(Served.START_FRESH),
    /** The session's handshake is through (again, when the agent started over). */
    HANDSHAKE_DONE(Served.STOP_FRESH),
    /** A ping was answered: the agent serves. */
    PONG(Served.NONE),
    /** The session stopped being ready and re-syncs. */
    NOT_READY(Served.START),
    /** The served check found QEMU not reading us while another client holds the socket. */
    NOT_SERVED(Served.NONE),
    /** The served check found QEMU reading us and said why no agent answers yet. */
    SERVED_BUT_UNANSWERED(Served.NONE),
    /** A probe went unanswered, or nothing came within the heartbeat bound. */
    UNRESPONSIVE(Served.NONE),
    /** The connection closed (not by qx-node's own quarantine or removal). */
    CLOSED(Served.STOP),
    /** After a loss: the next connect is scheduled. */
    RETRY_SCHEDULED(Served.NONE),
    /** The guest's conduct put the VM in quarantine: connection closed, next attempt later. */
    QUARANTINED(Served.STOP),
    /** The socket file went away. */
    REMOVED(Served.STOP);

    /** What an event does to the served check. */
    enum Served {
        NONE,
        /** Forget what QEMU left unread, then check. */
        START_FRESH,
        START,
        STOP,
        /** Stop, and forget what QEMU left unread: the agent answered. */
        STOP_FRESH
    }

    final Served served;

    VmEvent(Served served) {
        this.served = served;
    }
}
