package io.qtx.epoll;

/**
 * A deadline on an {@link EventLoop}: runs its task on the loop thread at or after the
 * deadline, never before; periodic timers run again every period after the last deadline.
 */
public final class Timer {

    final Runnable task;
    final long periodNanos;
    final long sequence;
    long deadlineNanos;
    /** Place in the heap, -1 when not queued. Loop thread only. */
    int heapIndex = -1;
    private final EventLoop loop;
    private volatile boolean cancelled;

    Timer(EventLoop loop, Runnable task, long deadlineNanos, long periodNanos, long sequence) {
        this.loop = loop;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
        this.periodNanos = periodNanos;
        this.sequence = sequence;
    }

    /** The deadline, on the {@link System#nanoTime()} clock. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Cancels the timer from any thread; once this returns, the task does not start again
     * (one already running on the loop thread finishes).
     */
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            loop.timerCancelled(this);
        }
    }
}
