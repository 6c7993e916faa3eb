package io.qtx.testkit;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The one way a test waits for something no one notifies it about: a condition polled until it
 * holds or a bound passes, failing with what was awaited (and the last value seen) instead of
 * sleeping a guessed time. Bounds are generous on purpose: the machine running the tests may be
 * loaded, and a condition that holds returns at once, so a long bound costs only a failing test.
 */
public final class Await {

    /** The bound when a test names none: long enough for a loaded machine, short enough to fail. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(30);
    /** The first pause between two looks; it doubles up to {@link #MAX_PAUSE_MS}. */
    private static final long FIRST_PAUSE_MS = 1;
    private static final long MAX_PAUSE_MS = 50;

    private Await() {
    }

    /** A condition that may throw; a throw fails the wait at once, with the throw as its cause. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value read on each look; a throw fails the wait at once, with the throw as its cause. */
    @FunctionalInterface
    public interface Probe<T> {
        T read() throws Exception;
    }

    /** Waits up to {@link #DEFAULT_BOUND} until {@code condition} holds. */
    public static void until(String what, Condition condition) throws InterruptedException {
        until(what, DEFAULT_BOUND, condition);
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param what names what is awaited, for the failure message ("the host session ready")
     * @throws AssertionError when {@code bound} passes first, or the condition throws
     */
    public static void until(String what, Duration bound, Condition condition) throws InterruptedException {
        value(what, bound, condition::holds, Boolean.TRUE::equals);
    }

    /** Waits up to {@link #DEFAULT_BOUND} until {@code probe} reads a value {@code done} accepts; returns it. */
    public static <T> T value(String what, Probe<T> probe, Predicate<? super T> done) throws InterruptedException {
        return value(what, DEFAULT_BOUND, probe, done);
    }

    /**
     * Waits until {@code probe} reads a value that {@code done} accepts, and returns that value.
     *
     * @throws AssertionError when {@code bound} passes first (naming the last value read), or the probe throws
     */
    public static <T> T value(String what, Duration bound, Probe<T> probe, Predicate<? super T> done)
            throws InterruptedException {
        long start = System.nanoTime();
        long pauseMs = FIRST_PAUSE_MS;
        while (true) {
            T seen = read(what, probe);
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - start >= bound.toNanos()) {
                throw new AssertionError("gave up after " + bound + " awaiting " + what + " (last seen: " + seen + ")");
            }
            Thread.sleep(pauseMs);
            pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
        }
    }

    private static <T> T read(String what, Probe<T> probe) throws InterruptedException {
        try {
            return probe.read();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("awaiting " + what + ": " + e, e);
        }
    }
}
