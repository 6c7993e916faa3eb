package io.qtx.sim;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** A test step run on a thread of its own, joined with a deadline and its failure rethrown. */
final class Background {

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Background(String name, Step step) {
        thread = Thread.ofPlatform().name(name).unstarted(() -> {
            try {
                step.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    static Background start(String name, Step step) {
        Background b = new Background(name, step);
        b.thread.start();
        return b;
    }

    /** Waits for the step to end and rethrows what it threw; fails if it is still running after {@code timeout}. */
    void join(Duration timeout) throws Exception {
        thread.join(timeout);
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError(thread.getName() + " still running after " + timeout);
        }
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }
}
