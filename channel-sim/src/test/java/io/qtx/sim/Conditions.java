package io.qtx.sim;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for what no one notifies about (the kernel's backlog, a thread's end), with a deadline. */
final class Conditions {

    private Conditions() {
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timeout after " + timeout + " waiting for " + what);
            }
            Thread.sleep(2);
        }
    }
}
