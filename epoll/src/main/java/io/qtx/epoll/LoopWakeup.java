package io.qtx.epoll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;

/**
 * How other threads wake the loop: an eventfd the loop watches, written at most once per
 * turn however many threads submit work.
 */
final class LoopWakeup {

    private static final System.Logger LOG = System.getLogger(LoopWakeup.class.getName());
    /** The value every wake-up adds to the eventfd; shared, read-only, process-lifetime. */
    private static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L);

    private final Fd eventFd;
    /** Set while a wake-up is written but not yet consumed, so concurrent submitters write once. */
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Keeps a late wake-up from writing to a descriptor number the loop has closed and the kernel reused. */
    private final Object closeLock = new Object();

    LoopWakeup(Fd eventFd) {
        this.eventFd = eventFd;
    }

    Fd fd() {
        return eventFd;
    }

    /** From any thread: makes the loop's next (or current) epoll_wait return. */
    void wake() {
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        synchronized (closeLock) {
            if (!eventFd.isOpen()) {
                return;
            }
            try {
                eventFd.write(ONE);
            } catch (NativeException e) {
                // EAGAIN only when the counter is near 2^64: the loop is awake anyway.
                LOG.log(System.Logger.Level.WARNING, "waking the event loop: {0}", e.getMessage());
            }
        }
    }

    /** Loop thread: consumes the wake-up into {@code scratch} (8 bytes). */
    void consume(MemorySegment scratch) throws NativeException {
        // Drain first, then clear: a submitter that finds the flag still set has its task
        // queued before the next turn runs the queue, and one that finds it clear writes anew.
        eventFd.read(scratch);
        pending.set(false);
    }

    void close() {
        synchronized (closeLock) {
            eventFd.close();
        }
    }
}
