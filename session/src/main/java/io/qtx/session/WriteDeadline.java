package io.qtx.session;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;

/**
 * A channel's one write deadline: armed when a write would block, cancelled whenever a write
 * makes progress (the peer is reading), so it fires only when queued bytes waited the whole
 * timeout. Loop thread only.
 */
final class WriteDeadline {

    private final EventLoop loop;
    private final Duration timeout;
    /** Whether bytes still wait when the timer fires (the channel may have drained or closed). */
    private final BooleanSupplier stillWaiting;
    private final Runnable expired;
    private Timer timer;
    private long expiries;

    WriteDeadline(EventLoop loop, Duration timeout, BooleanSupplier stillWaiting, Runnable expired) {
        this.loop = loop;
        this.timeout = timeout;
        this.stillWaiting = stillWaiting;
        this.expired = expired;
    }

    /** Starts the wait unless it already runs: the deadline counts from the first blocked write. */
    void arm() {
        if (timer == null) {
            timer = loop.schedule(timeout, this::fire);
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Times queued bytes waited the whole timeout. */
    long expiries() {
        return expiries;
    }

    private void fire() {
        timer = null;
        if (stillWaiting.getAsBoolean()) {
            expiries++;
            expired.run();
        }
    }
}
