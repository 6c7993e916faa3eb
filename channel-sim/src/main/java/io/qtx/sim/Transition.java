package io.qtx.sim;

/** The state changes of one simulated channel, each reported once to a {@link TransitionListener}. */
public enum Transition {
    /** The channel's two sockets are listening. */
    OPENED,
    /** A host client was accepted and is now served. */
    HOST_ACCEPTED,
    /** The served host client closed its end or failed. */
    HOST_LEFT,
    /** The simulator closed the served host client on request ({@link SimulatedChannel#dropHost()}). */
    HOST_DROPPED,
    /** A guest connected to the port socket and now holds the port. */
    GUEST_ATTACHED,
    /** The attached guest closed its end or failed. */
    GUEST_LEFT,
    /** The simulator closed the attached guest on request ({@link SimulatedChannel#detachGuest()}). */
    GUEST_DETACHED,
    /** A second guest slipped in before the port socket stopped listening and was closed at once. */
    GUEST_TURNED_AWAY,
    /** The channel's sockets are closed and deleted. */
    CLOSED;

    /** The lower-case, dash-separated name used in log lines. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
