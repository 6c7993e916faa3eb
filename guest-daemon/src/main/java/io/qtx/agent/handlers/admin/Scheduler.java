package io.qtx.agent.handlers.admin;

import java.time.Duration;

/** Runs something later on the event loop; a test runs it by hand. */
@FunctionalInterface
public interface Scheduler {

    /** Returns a handle that cancels the task if it has not started. */
    Runnable later(Duration delay, Runnable task);
}
