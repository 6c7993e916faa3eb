package io.qtx.epoll;

/**
 * Called on the loop thread when a registered descriptor is ready. A handler that throws has
 * its registration closed (and the failure logged), then hears {@link #failed}: one bad
 * connection never stops the loop, and its owner tears down the rest of its state the way it
 * does for any close, so nothing keeps the closed descriptor's number.
 */
@FunctionalInterface
public interface IoHandler {

    /** {@code events} is a mask of {@link IoEvents} bits. */
    void onEvents(Registration registration, int events) throws Exception;

    /**
     * {@link #onEvents} threw {@code cause}; the registration and its descriptor are already
     * closed. The owner must forget them now, as on any other close.
     */
    default void failed(Registration registration, Throwable cause) {
    }
}
