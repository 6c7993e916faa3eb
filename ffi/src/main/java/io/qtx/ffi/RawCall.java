package io.qtx.ffi;

import java.lang.foreign.MemorySegment;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level's one invoke helper and its one EINTR policy: every raw call names itself here,
 * and what it does when the kernel reports EINTR is in this table, not at the call site.
 *
 * <p>The rule: a call interrupted by a signal handler before it did anything is made again, so
 * no caller ever sees EINTR. Three calls are the exceptions, because their EINTR means
 * something else (ffi/README.md, "EINTR and EAGAIN"):
 * <ul>
 *   <li>{@code close}: on Linux the descriptor is released before close reports EINTR; a retry
 *       could close a descriptor another thread was just given the same number. Success.</li>
 *   <li>{@code epoll_wait}: its timeout is relative, so a retry would wait too long after a
 *       signal; 0 events, and the caller's loop recomputes the timeout from its own clock.</li>
 *   <li>{@code connect}: the connection goes on in the background after EINTR, and a second
 *       connect would fail with EALREADY; reported as EINPROGRESS and completed like a
 *       non-blocking connect.</li>
 * </ul>
 * EAGAIN is passed up as {@code -EAGAIN} like any errno; the checked level turns it into
 * {@link Syscalls#WOULD_BLOCK} for reads, writes and accepts.
 */
enum RawCall {
    EPOLL_CREATE1, EPOLL_CTL, EPOLL_WAIT(Eintr.NO_EVENTS), TIMERFD_CREATE, TIMERFD_SETTIME, EVENTFD,
    READ, WRITE, READV, WRITEV, CLOSE(Eintr.RELEASED), OPEN, FCNTL, IOCTL, UNLINK, PIPE2,
    MEMFD_CREATE, FTRUNCATE, MMAP, MUNMAP, INOTIFY_INIT1, INOTIFY_ADD_WATCH, STATVFS,
    SOCKET, SOCKETPAIR, BIND, LISTEN, ACCEPT4, CONNECT(Eintr.IN_PROGRESS), GETSOCKOPT, SETSOCKOPT, SHUTDOWN,
    KILL, GETPID, CLOCK_SETTIME, SENDTO, LLISTXATTR, LGETXATTR, LSETXATTR;

    /** What a call does when the kernel reports EINTR. */
    enum Eintr {
        /** Made again: it was interrupted before it did anything. */
        RETRY,
        /** epoll_wait: 0 events; the caller recomputes its timeout. */
        NO_EVENTS,
        /** close: the descriptor is gone anyway; success, never made again. */
        RELEASED,
        /** connect: the connection goes on; {@code -EINPROGRESS}. */
        IN_PROGRESS
    }

    /** One downcall that fails by returning -1 and leaving errno in {@code errnoCell}. */
    @FunctionalInterface
    interface Downcall {
        long call(MemorySegment errnoCell) throws Throwable;
    }

    private static final int EINTR = Linux.EINTR();
    private static final int EINPROGRESS = Linux.EINPROGRESS();

    /** This call's entry in the policy table. */
    final Eintr onEintr;

    RawCall() {
        this(Eintr.RETRY);
    }

    RawCall(Eintr onEintr) {
        this.onEintr = onEintr;
    }

    /**
     * Makes the call with this thread's errno cell and applies the policy.
     *
     * @return what the call returned, or {@code -errno} where it returned -1
     */
    long invoke(Downcall downcall) {
        MemorySegment cell = ErrnoCell.get();
        try {
            while (true) {
                long r = downcall.call(cell);
                if (r != -1) {
                    return r;
                }
                int errno = ErrnoCell.errno(cell);
                if (errno != EINTR) {
                    return -errno;
                }
                switch (onEintr) {
                    case RETRY -> { }
                    case NO_EVENTS, RELEASED -> {
                        return 0;
                    }
                    case IN_PROGRESS -> {
                        return -EINPROGRESS;
                    }
                }
            }
        } catch (Throwable t) {
            throw Downcalls.unexpected(t);
        }
    }
}
