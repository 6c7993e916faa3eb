package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.proto.TelemetryReport;

/** A collection that throws costs one report, never the pump. */
class TelemetryPumpTest {

    @Test
    void collectionFailuresAreCountedAndThePumpGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (EventLoop loop = EventLoop.start("pump-test")) {
            TelemetryPump pump = new TelemetryPump(loop, Duration.ofMillis(20), () -> {
                if (calls.incrementAndGet() <= 3) {
                    throw new IllegalStateException("/proc/stat changed its format");
                }
                return TelemetryReport.getDefaultInstance();
            }, report -> true, () -> true);
            pump.start();
            try {
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (pump.sent() < 2 && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                assertTrue(pump.sent() >= 2, "reports flow again after the failures");
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
