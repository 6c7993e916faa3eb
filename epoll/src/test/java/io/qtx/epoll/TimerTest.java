package io.qtx.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TimerTest {

    private EventLoop loop;

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("timer-loop");
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private record Fired(Timer timer, long atNanos, boolean onLoop) {
    }

    @Test
    void timersFireInDeadlineOrderAndNeverEarly() throws Exception {
        int count = 2000;
        Random random = new Random(42);
        List<Fired> fired = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(count);
        // Scheduled in one loop task, so every timer is queued before the first can fire: a timer
        // handed in from another thread can only be ordered once the loop has it.
        OnLoop.run(loop, () -> {
            for (int i = 0; i < count; i++) {
                Timer[] self = new Timer[1];
                self[0] = loop.schedule(Duration.ofMillis(random.nextInt(300)), () -> {
                    fired.add(new Fired(self[0], System.nanoTime(), loop.inLoop()));
                    done.countDown();
                });
            }
        });
        assertTrue(done.await(10, TimeUnit.SECONDS), "fired " + fired.size() + " of " + count);
        assertEquals(count, fired.size());
        long previous = Long.MIN_VALUE;
        for (Fired f : fired) {
            assertTrue(f.onLoop);
            assertTrue(f.atNanos - f.timer.deadlineNanos() >= 0, "fired early by " + (f.timer.deadlineNanos() - f.atNanos) + " ns");
            assertTrue(f.timer.deadlineNanos() >= previous, "out of deadline order");
            previous = f.timer.deadlineNanos();
        }
        assertEquals(0, (int) OnLoop.call(loop, loop::pendingTimers));
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception {
        AtomicInteger cancelledRuns = new AtomicInteger();
        List<Timer> cancelled = new ArrayList<>();
        // Due 2 s out, so that a test thread the machine stalls still cancels them before they
        // are due: what is tested is that a cancelled timer never runs, not how fast we cancel.
        long scheduled = System.nanoTime();
        for (int i = 0; i < 500; i++) {
            cancelled.add(loop.schedule(Duration.ofMillis(2_000 + i % 50), cancelledRuns::incrementAndGet));
        }
        // Half cancelled from this thread, half from the loop itself.
        for (int i = 0; i < cancelled.size(); i += 2) {
            cancelled.get(i).cancel();
        }
        OnLoop.run(loop, () -> {
            for (int i = 1; i < cancelled.size(); i += 2) {
                cancelled.get(i).cancel();
            }
        });
        long cancelledAfterMs = (System.nanoTime() - scheduled) / 1_000_000;
        org.junit.jupiter.api.Assumptions.assumeTrue(cancelledAfterMs < 2_000,
                "the machine stalled this thread " + cancelledAfterMs + " ms: the timers were due before their cancel");
        CountDownLatch after = new CountDownLatch(1);
        loop.schedule(Duration.ofMillis(2_150), after::countDown);
        assertTrue(after.await(10, TimeUnit.SECONDS));
        assertEquals(0, cancelledRuns.get());
        assertTrue(cancelled.stream().allMatch(Timer::isCancelled));
        assertEquals(0, (int) OnLoop.call(loop, loop::pendingTimers));
    }

    @Test
    void aPeriodicTimerRepeatsUntilCancelledAndNeverRunsEarly() throws Exception {
        List<Long> runs = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch five = new CountDownLatch(5);
        long start = System.nanoTime();
        Timer timer = loop.scheduleAtFixedRate(Duration.ofMillis(10), Duration.ofMillis(10), () -> {
            runs.add(System.nanoTime());
            five.countDown();
        });
        assertTrue(five.await(5, TimeUnit.SECONDS));
        timer.cancel();
        int afterCancel = OnLoop.call(loop, runs::size);
        CountDownLatch later = new CountDownLatch(1);
        loop.schedule(Duration.ofMillis(60), later::countDown);
        assertTrue(later.await(5, TimeUnit.SECONDS));
        assertEquals(afterCancel, runs.size(), "no run after cancel");
        for (int i = 0; i < 5; i++) {
            assertTrue(runs.get(i) - start >= (i + 1) * 10_000_000L, "run " + i + " early");
        }
    }

    @Test
    void aTimerAddedWithAnEarlierDeadlineRearmsTheTimerfd() throws Exception {
        CountDownLatch late = new CountDownLatch(1);
        CountDownLatch early = new CountDownLatch(1);
        Timer lateTimer = loop.schedule(Duration.ofSeconds(30), late::countDown);
        loop.schedule(Duration.ofMillis(5), early::countDown);
        assertTrue(early.await(5, TimeUnit.SECONDS));
        assertFalse(late.await(0, TimeUnit.MILLISECONDS));
        lateTimer.cancel();
    }

    @Test
    void aTimerTaskThatThrowsDoesNotStopOtherTimers() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        loop.schedule(Duration.ofMillis(1), () -> {
            throw new IllegalStateException("timer bug (expected by this test)");
        });
        loop.schedule(Duration.ofMillis(2), ran::countDown);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
    }
}
