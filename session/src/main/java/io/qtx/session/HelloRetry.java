package io.qtx.session;

import java.time.Duration;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;

/**
 * When a session says Hello again: after {@code first} without an answer, then, if a maximum
 * is set, doubling up to it, so a peer that never completes a handshake costs less and less;
 * back to {@code first} once the session is ready. One timer at a time. Loop thread only.
 */
final class HelloRetry {

    private final EventLoop loop;
    private final Duration first;
    /** Null: the wait never doubles. */
    private Duration max;
    private Duration next;
    private Timer timer;

    HelloRetry(EventLoop loop, Duration first) {
        this.loop = loop;
        this.first = first;
        this.next = first;
    }

    void doubleUpTo(Duration max) {
        this.max = max;
    }

    /** Runs {@code retry} after the current wait (replacing any timer), and doubles the next wait. */
    void schedule(java.util.function.Consumer<Duration> retry) {
        cancel();
        Duration wait = next;
        if (max != null) {
            Duration doubled = wait.multipliedBy(2);
            next = doubled.compareTo(max) > 0 ? max : doubled;
        }
        timer = loop.schedule(wait, () -> {
            timer = null;
            retry.accept(wait);
        });
    }

    /** The handshake is through: no retry, and the next one waits {@code first} again. */
    void answered() {
        next = first;
        cancel();
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
