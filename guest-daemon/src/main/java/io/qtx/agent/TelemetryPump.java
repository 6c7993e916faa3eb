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
 * Sends a report every interval. Collecting may block (statvfs on a hung network mount), so
 * it runs on a thread of its own, never on the loop nor on the request workers; a report
 * still being collected when the next is due makes that one count as dropped. A report that
 * cannot be queued (session not running, or the host not reading and the queue full) is
 * dropped and counted, never kept: telemetry is a stream, not a log. While the session is
 * not running nothing is even collected. A collection that throws drops that one report and
 * is logged (at most once a minute, with a count); the next one is collected as usual.
 */
final class TelemetryPump implements AutoCloseable {

    private final EventLoop loop;
    private final Duration interval;
    private final Supplier<TelemetryReport> collector;
    private final Predicate<TelemetryReport> send;
    private final java.util.function.BooleanSupplier running;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("telemetry").daemon().unstarted(r));
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final CollectionFailures failures = new CollectionFailures(Duration.ofMinutes(1));
    private boolean collecting;
    private Timer timer;

    TelemetryPump(EventLoop loop, Duration interval, Supplier<TelemetryReport> collector,
                  Predicate<TelemetryReport> send, java.util.function.BooleanSupplier running) {
        this.loop = loop;
        this.interval = interval;
        this.collector = collector;
        this.send = send;
        this.running = running;
    }

    void start() {
        if (!interval.isZero()) {
            loop.execute(() -> timer = loop.scheduleAtFixedRate(interval, interval, this::due));
        }
    }

    long dropped() {
        return dropped.get();
    }

    long sent() {
        return sent.get();
    }

    long collectionFailures() {
        return failures.total();
    }

    private void due() {
        // No session to send to: nothing is collected (reading /proc costs CPU a waiting agent must not spend).
        if (collecting || !running.getAsBoolean()) {
            dropped.incrementAndGet();
            return;
        }
        collecting = true;
        try {
            thread.execute(() -> {
                TelemetryReport report;
                try {
                    report = collector.get();
                } catch (RuntimeException | Error e) {
                    failures.failed(e);
                    report = null;
                }
                TelemetryReport collected = report;
                try {
                    loop.execute(() -> {
                        collecting = false;
                        if (collected == null) {
                            dropped.incrementAndGet();
                        } else if (send.test(collected)) {
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
        if (timer != null) {
            loop.execute(timer::cancel);
        }
        thread.shutdownNow();
    }
}
