package io.qtx.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.ffi.Fd;
import io.qtx.ffi.Sockets;

/** A descriptor whose peer is gone must not make the loop spin. */
class HangupTest {

    private EventLoop loop;

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("hangup-loop");
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    @Test
    void aHungUpDescriptorLeftRegisteredForASecondWakesTheLoopOnceAndNotAgain() throws Exception {
        Fd[] pair = Sockets.socketpair();
        pair[1].close();
        AtomicInteger calls = new AtomicInteger();
        // A careless handler: it neither reads nor closes, so the hang-up stays pending.
        OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE, false, (r, ev) -> calls.incrementAndGet()));
        CountDownLatch started = new CountDownLatch(1);
        loop.execute(started::countDown);
        assertTrue(started.await(5, TimeUnit.SECONDS));

        long cpuBefore = loop.cpuTimeNanos();
        assertTrue(cpuBefore > 0, "the loop thread's CPU time can be read");
        long wakeupsBefore = loop.wakeups();
        CountDownLatch second = new CountDownLatch(1);
        loop.schedule(Duration.ofSeconds(1), second::countDown);
        assertTrue(second.await(5, TimeUnit.SECONDS));
        long cpu = loop.cpuTimeNanos() - cpuBefore;
        long wakeups = loop.wakeups() - wakeupsBefore;

        System.out.printf("hung-up fd for 1 s: loop CPU %.3f ms, %d wake-ups, handler called %d times%n",
                cpu / 1e6, wakeups, calls.get());
        // The CPU time is a figure, printed, not asserted: it follows the machine's load. A spin
        // shows in the counts, which do not: it would wake the loop hundreds of thousands of times.
        assertTrue(wakeups < 10, wakeups + " wake-ups");
        assertEquals(1, calls.get(), "the handler hears of the hang-up once");
        assertTrue(OnLoop.call(loop, () -> loop.registrationCount() == 1), "still registered");
    }

    @Test
    void anEdgeTriggeredRegistrationHearsOfTheHangupOnceToo() throws Exception {
        Fd[] pair = Sockets.socketpair();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger lastEvents = new AtomicInteger();
        OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE | IoEvents.PEER_CLOSED, true, (r, ev) -> {
            calls.incrementAndGet();
            lastEvents.set(ev);
        }));
        pair[1].close();
        CountDownLatch settle = new CountDownLatch(1);
        loop.schedule(Duration.ofMillis(300), settle::countDown);
        assertTrue(settle.await(5, TimeUnit.SECONDS));
        assertEquals(1, calls.get());
        assertTrue((lastEvents.get() & IoEvents.PEER_CLOSED) != 0, IoEvents.toString(lastEvents.get()));
    }
}
