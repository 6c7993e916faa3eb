package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.proto.TelemetryReport;
import io.qtx.testkit.Await;

/**
 * Telemetry runs only while a host listens (with none there is no timer to wake the loop), and a
 * collection that throws costs one report, never the pump.
 */
class TelemetryPumpTest {

    @Test
    void withNoHostTheTimerIsGoneAndTheLoopSleeps() throws Exception {
        AtomicInteger collected = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        try (EventLoop loop = EventLoop.start("telemetry-test");
             TelemetryPump pump = new TelemetryPump(loop, Duration.ofMillis(20), () -> {
                 collected.incrementAndGet();
                 return TelemetryReport.getDefaultInstance();
             }, r -> {
                 three.countDown();
                 return true;
             })) {
            loop.execute(() -> pump.running(true));
            assertTrue(three.await(10, TimeUnit.SECONDS), "reports while running");
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            loop.execute(() -> {
                pump.running(false);
                stopped.complete(null);
            });
            stopped.get(10, TimeUnit.SECONDS);
            // A report already being collected may still land: every collection ends in a send here.
            Await.until("the last collection sent", () -> collected.get() == pump.sent());
            int before = collected.get();
            long wakeups = loop.wakeups();
            // Time passes on purpose: what is tested is that nothing happens in it.
            Thread.sleep(500);
            assertEquals(before, collected.get(), "nothing collected with no host");
            // A fixed-rate timer would have woken the loop 25 times; only stray wake-ups may remain.
            assertTrue(loop.wakeups() - wakeups <= 1, "wake-ups with no host: " + (loop.wakeups() - wakeups));
        }
    }

    @Test
    void collectionFailuresAreCountedAndThePumpGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (EventLoop loop = EventLoop.start("pump-test")) {
            TelemetryPump pump = new TelemetryPump(loop, Duration.ofMillis(20), () -> {
                if (calls.incrementAndGet() <= 3) {
                    throw new IllegalStateException("/proc/stat changed its format");
                }
                return TelemetryReport.getDefaultInstance();
            }, report -> true);
            loop.execute(() -> pump.running(true));
            try {
                Await.until("reports flowing again after the failures", () -> pump.sent() >= 2);
                assertEquals(3, pump.collectionFailures());
                assertTrue(pump.dropped() >= 3, "each failed collection is a dropped report");
            } finally {
                pump.close();
            }
        }
    }

    @Test
    void failuresAreLoggedAtMostOncePerInterval() {
        CollectionFailures failures = new CollectionFailures(Duration.ofHours(1));
        assertTrue(failures.failed(new RuntimeException("one")));
        assertFalse(failures.failed(new RuntimeException("two")));
        assertFalse(failures.failed(new RuntimeException("three")));
        assertEquals(3, failures.total());
        CollectionFailures often = new CollectionFailures(Duration.ZERO);
        assertTrue(often.failed(new RuntimeException("one")));
        assertTrue(often.failed(new RuntimeException("two")));
    }
}
