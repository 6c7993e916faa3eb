package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.itimerspec;
import io.qtx.ffi.generated.timespec;

/**
 * The checked level over {@link RawSyscalls}: each failure becomes a {@link NativeException}
 * that names the call and its argument; EAGAIN becomes {@link #WOULD_BLOCK}; EBADF a
 * {@link ClosedFdException}. Socket calls are in {@link Sockets}.
 */
public final class Syscalls {

    /** Returned by reads, writes and accepts for EAGAIN: no progress, try after the next wake-up. */
    public static final long WOULD_BLOCK = -1;

    public static final int O_RDONLY = Linux.O_RDONLY();
    public static final int O_WRONLY = Linux.O_WRONLY();
    public static final int O_RDWR = Linux.O_RDWR();
    public static final int O_NONBLOCK = Linux.O_NONBLOCK();
    public static final int O_CLOEXEC = Linux.O_CLOEXEC();
    public static final int O_NOCTTY = Linux.O_NOCTTY();
    public static final int O_CREAT = Linux.O_CREAT();
    public static final int O_TRUNC = Linux.O_TRUNC();
    public static final int O_APPEND = Linux.O_APPEND();
    public static final int F_GETFL = Linux.F_GETFL();
    public static final int CLOCK_MONOTONIC = Linux.CLOCK_MONOTONIC();

    private Syscalls() {
    }

    /** Turns a raw {@code -errno} from an I/O call on {@code fd} into WOULD_BLOCK or an exception. */
    static long ioFailure(String call, Fd fd, long negativeErrno) throws NativeException {
        int errno = (int) -negativeErrno;
        if (errno == Errno.EAGAIN) {
            return WOULD_BLOCK;
        }
        throw failure(call, fd.description(), errno);
    }

    static NativeException failure(String call, String argument, int errno) {
        return errno == Errno.EBADF ? new ClosedFdException(call, argument) : new NativeException(call, argument, errno);
    }

    /** {@code r} if it is a result, else the exception it stands for. */
    static int check(String call, String argument, int r) throws NativeException {
        if (r < 0) {
            throw failure(call, argument, -r);
        }
        return r;
    }

    public static Fd epollCreate() throws NativeException {
        return new Fd(check("epoll_create1", null, RawSyscalls.epollCreate1(Linux.EPOLL_CLOEXEC())), "epoll");
    }

    /** One epoll_ctl; {@code event} is an {@code epoll_event} (null for EPOLL_CTL_DEL). */
    public static void epollCtl(Fd epoll, int op, Fd target, MemorySegment event) throws NativeException {
        int r = RawSyscalls.epollCtl(epoll.checkedValue("epoll_ctl"), op, target.checkedValue("epoll_ctl"),
                event == null ? MemorySegment.NULL : event);
        check("epoll_ctl", target.description(), r);
    }

    /** Waits for events; 0 on timeout or a signal. */
    public static int epollWait(Fd epoll, MemorySegment events, int maxEvents, int timeoutMillis) throws NativeException {
        return check("epoll_wait", null,
                RawSyscalls.epollWait(epoll.checkedValue("epoll_wait"), events, maxEvents, timeoutMillis));
    }

    /** A non-blocking, close-on-exec timerfd on CLOCK_MONOTONIC. */
    public static Fd timerfdCreate() throws NativeException {
        int flags = Linux.TFD_NONBLOCK() | Linux.TFD_CLOEXEC();
        return new Fd(check("timerfd_create", null, RawSyscalls.timerfdCreate(CLOCK_MONOTONIC, flags)), "timerfd");
    }

    /**
     * Arms {@code timer} to fire once at {@code deadlineNanos} on CLOCK_MONOTONIC (the clock of
     * {@link System#nanoTime()} on Linux), or disarms it when {@code deadlineNanos} is 0.
     * {@code spec} is caller-owned scratch from {@link #allocateTimerSpec}, so arming allocates nothing.
     */
    /** Scratch for {@link #timerfdSetAbsolute}: one {@code itimerspec}, from the owner's arena. */
    public static MemorySegment allocateTimerSpec(Arena arena) {
        return arena.allocate(itimerspec.layout());
    }

    public static void timerfdSetAbsolute(Fd timer, long deadlineNanos, MemorySegment spec) throws NativeException {
        MemorySegment interval = itimerspec.it_interval(spec);
        MemorySegment value = itimerspec.it_value(spec);
        timespec.tv_sec(interval, 0);
        timespec.tv_nsec(interval, 0);
        timespec.tv_sec(value, deadlineNanos / 1_000_000_000L);
        timespec.tv_nsec(value, deadlineNanos % 1_000_000_000L);
        int r = RawSyscalls.timerfdSettime(timer.checkedValue("timerfd_settime"), Linux.TFD_TIMER_ABSTIME(), spec,
                MemorySegment.NULL);
        check("timerfd_settime", timer.description(), r);
    }

    /** A non-blocking, close-on-exec eventfd counter starting at 0. */
    public static Fd eventfd() throws NativeException {
        int flags = Linux.EFD_NONBLOCK() | Linux.EFD_CLOEXEC();
        return new Fd(check("eventfd", null, RawSyscalls.eventfd(0, flags)), "eventfd");
    }

    /**
     * Opens {@code path}; always close-on-exec and non-blocking, like every descriptor made
     * here, because {@link Fd#read} and {@link Fd#write} are calls the JVM assumes never wait.
     */
    public static Fd open(String path, int flags, int mode) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            int r = RawSyscalls.open(arena.allocateFrom(path), flags | O_CLOEXEC | O_NONBLOCK, mode);
            return new Fd(check("open", path, r), path);
        }
    }

    /** Opens a character device such as a virtio port: read-write, non-blocking, never our terminal. */
    public static Fd openDevice(String path) throws NativeException {
        return open(path, O_RDWR | O_NONBLOCK | O_NOCTTY, 0);
    }

    /** Removes {@code path}; false when it was not there. */
    public static boolean unlink(String path) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            int r = RawSyscalls.unlink(arena.allocateFrom(path));
            if (r == -Errno.ENOENT) {
                return false;
            }
            check("unlink", path, r);
            return true;
        }
    }

    /** The file status flags (F_GETFL), e.g. to check O_NONBLOCK. */
    public static int statusFlags(Fd fd) throws NativeException {
        return check("fcntl", fd.description(), RawSyscalls.fcntl(fd.checkedValue("fcntl"), F_GETFL, 0));
    }

    /** A non-blocking, close-on-exec pipe: {read end, write end}. */
    public static Fd[] pipe() throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Linux.C_INT, 2);
            check("pipe2", null, RawSyscalls.pipe2(fds, O_NONBLOCK | O_CLOEXEC));
            return new Fd[] {
                new Fd(fds.getAtIndex(Linux.C_INT, 0), "pipe read end"),
                new Fd(fds.getAtIndex(Linux.C_INT, 1), "pipe write end")
            };
        }
    }
}
