package io.qtx.agent;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;
import io.qtx.proto.TelemetryReport;

/**
 * Sends a report every interval while a host listens. Collecting may block (statvfs on a hung
 * network mount), so it runs on a thread of its own, never on the loop nor on the request
 * workers; a report still being collected when the next is due makes that one count as
 * dropped. A report that cannot be queued (the host not reading and the queue full, or gone
 * between two states) is dropped and counted, never kept: telemetry is a stream, not a log.
 * While the session is not running the timer does not even exist: with no host the agent has
 * nothing to wake up for.
 */
final class TelemetryPump implements AutoCloseable {

    private final EventLoop loop;
    private final Duration interval;
    private final Supplier<TelemetryReport> collector;
    private final Predicate<TelemetryReport> send;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("telemetry").daemon().unstarted(r));
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private boolean collecting;
    private Timer timer;

    TelemetryPump(EventLoop loop, Duration interval, Supplier<TelemetryReport> collector,
                  Predicate<TelemetryReport> send) {
        this.loop = loop;
        this.interval = interval;
        this.collector = collector;
        this.send = send;
    }

    /** The session started or stopped running: the timer is armed or cancelled. Loop thread. */
    void running(boolean running) {
        if (running && timer == null && !interval.isZero()) {
            timer = loop.scheduleAtFixedRate(interval, interval, this::due);
        } else if (!running && timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    long dropped() {
        return dropped.get();
    }

    long sent() {
        return sent.get();
    }

    private void due() {
        if (collecting) {
            dropped.incrementAndGet();
            return;
        }
        collecting = true;
        try {
            thread.execute(() -> {
                TelemetryReport report = collector.get();
                try {
                    loop.execute(() -> {
                        collecting = false;
                        if (send.test(report)) {
                            sent.incrementAndGet();
                        } else {
                            dropped.incrementAndGet();
                        }
                    });
                } catch (RejectedExecutionException stopping) {
                    // the agent is shutting down
                }
            });
        } catch (RejectedExecutionException stopping) {
            collecting = false;
        }
    }

    @Override
    public void close() {
        try {
            loop.execute(() -> running(false));
        } catch (RejectedExecutionException stopped) {
            // the loop is already closed, and its timers with it
        }
        thread.shutdownNow();
    }
}
