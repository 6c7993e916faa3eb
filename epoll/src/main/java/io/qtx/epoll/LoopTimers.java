package io.qtx.epoll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

/**
 * The loop's timers: a heap of deadlines and one timerfd armed for the earliest. The kernel
 * fires the timerfd at or after that deadline; {@link #runDue} runs only timers whose
 * deadline has passed on {@link System#nanoTime()} (CLOCK_MONOTONIC, like the timerfd), so
 * none runs early. Loop thread only.
 */
final class LoopTimers {

    private final TimerQueue queue = new TimerQueue();
    private final Fd timerFd;
    /** Scratch for timerfd_settime, owned by the loop's arena. */
    private final MemorySegment spec;
    /** The deadline the timerfd is armed for, valid while {@link #armed}. */
    private long armedDeadline;
    private boolean armed;

    LoopTimers(Fd timerFd, Arena arena) {
        this.timerFd = timerFd;
        this.spec = Syscalls.allocateTimerSpec(arena);
    }

    Fd fd() {
        return timerFd;
    }

    int size() {
        return queue.size();
    }

    void add(Timer timer) throws NativeException {
        queue.add(timer);
        rearm();
    }

    void remove(Timer timer) throws NativeException {
        queue.remove(timer);
        rearm();
    }

    /** Runs every timer that is due, requeues periodic ones, and re-arms for the next. */
    void runDue(TaskRunner runner, boolean stopping) throws NativeException {
        long now = System.nanoTime();
        Timer timer;
        while ((timer = queue.peek()) != null && timer.deadlineNanos - now <= 0) {
            queue.poll();
            if (timer.isCancelled()) {
                continue;
            }
            runner.run(timer.task, "timer");
            if (timer.periodNanos > 0 && !timer.isCancelled() && !stopping) {
                long next = timer.deadlineNanos + timer.periodNanos;
                // A loop that fell behind skips the missed runs instead of firing a burst.
                timer.deadlineNanos = next - now > 0 ? next : now + timer.periodNanos;
                queue.add(timer);
            }
            now = System.nanoTime();
        }
        // The timerfd has fired, so it is disarmed whatever we remembered.
        armed = false;
        rearm();
    }

    private void rearm() throws NativeException {
        Timer first = queue.peek();
        if (first == null) {
            if (armed) {
                Syscalls.timerfdSetAbsolute(timerFd, 0, spec);
                armed = false;
            }
        } else if (!armed || armedDeadline != first.deadlineNanos) {
            // A deadline already past still arms (the kernel fires at once); 0 would disarm.
            Syscalls.timerfdSetAbsolute(timerFd, Math.max(1, first.deadlineNanos), spec);
            armedDeadline = first.deadlineNanos;
            armed = true;
        }
    }

    void clear() {
        queue.clear();
    }

    /** How the loop runs a task: catching and logging what it throws. */
    interface TaskRunner {
        void run(Runnable task, String what);
    }
}
