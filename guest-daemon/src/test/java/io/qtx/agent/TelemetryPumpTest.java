package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.proto.TelemetryReport;

/** Telemetry runs only while a host listens; with none there is no timer to wake the loop. */
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
            loop.execute(() -> pump.running(false));
            Thread.sleep(100); // a report being collected may still land
            int before = collected.get();
            long wakeups = loop.wakeups();
            Thread.sleep(500);
            assertEquals(before, collected.get(), "nothing collected with no host");
            // A fixed-rate timer would have woken the loop 25 times; only stray wake-ups may remain.
            assertTrue(loop.wakeups() - wakeups <= 1, "wake-ups with no host: " + (loop.wakeups() - wakeups));
        }
    }
}
