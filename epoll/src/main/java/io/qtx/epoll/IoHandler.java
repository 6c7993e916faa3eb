package io.qtx.epoll;

/**
 * Called on the loop thread when a registered descriptor is ready. A handler that throws has
 * its registration closed (and the failure logged): one bad connection never stops the loop.
 */
@FunctionalInterface
public interface IoHandler {

    /** {@code events} is a mask of {@link IoEvents} bits. */
    void onEvents(Registration registration, int events) throws Exception;
}
