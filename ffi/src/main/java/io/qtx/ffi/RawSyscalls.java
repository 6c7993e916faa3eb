package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.nonBlockingWithErrno;
import static io.qtx.ffi.Downcalls.withErrno;
import static io.qtx.ffi.Downcalls.withErrnoVariadic;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level: each method makes one system call and returns its result, or {@code -errno}
 * on failure. Nothing throws here (but a broken handle). EINTR is handled by {@link RawCall},
 * the one place that invokes a downcall, by its table (close and epoll_wait are the
 * exceptions to "retry"). {@link Syscalls} is the checked level above.
 */
public final class RawSyscalls {

    private static final MethodHandle EPOLL_CREATE1 = withErrno(Linux.epoll_create1$address(), Linux.epoll_create1$descriptor());
    private static final MethodHandle EPOLL_CTL = withErrno(Linux.epoll_ctl$address(), Linux.epoll_ctl$descriptor());
    private static final MethodHandle EPOLL_WAIT = withErrno(Linux.epoll_wait$address(), Linux.epoll_wait$descriptor());
    private static final MethodHandle TIMERFD_CREATE = withErrno(Linux.timerfd_create$address(), Linux.timerfd_create$descriptor());
    private static final MethodHandle TIMERFD_SETTIME = withErrno(Linux.timerfd_settime$address(), Linux.timerfd_settime$descriptor());
    private static final MethodHandle EVENTFD = withErrno(Linux.eventfd$address(), Linux.eventfd$descriptor());
    // Our descriptors are non-blocking (sockets, ports, eventfd, timerfd), so read and write never wait.
    private static final MethodHandle READ = nonBlockingWithErrno(Linux.read$address(), Linux.read$descriptor());
    private static final MethodHandle WRITE = nonBlockingWithErrno(Linux.write$address(), Linux.write$descriptor());
    private static final MethodHandle READV = withErrno(Linux.readv$address(), Linux.readv$descriptor());
    private static final MethodHandle WRITEV = withErrno(Linux.writev$address(), Linux.writev$descriptor());
    private static final MethodHandle CLOSE = withErrno(Linux.close$address(), Linux.close$descriptor());
    private static final MethodHandle OPEN = withErrnoVariadic(Linux.open.address(),
            Linux.open.makeInvoker().descriptor(), Linux.C_INT);
    private static final MethodHandle FCNTL = withErrnoVariadic(Linux.fcntl.address(),
            Linux.fcntl.makeInvoker().descriptor(), Linux.C_INT);
    private static final MethodHandle IOCTL = withErrnoVariadic(Linux.ioctl.address(),
            Linux.ioctl.makeInvoker().descriptor(), Linux.C_POINTER);
    private static final MethodHandle UNLINK = withErrno(Linux.unlink$address(), Linux.unlink$descriptor());
    private static final MethodHandle PIPE2 = withErrno(Linux.pipe2$address(), Linux.pipe2$descriptor());
    private static final MethodHandle MEMFD_CREATE = withErrno(Linux.memfd_create$address(), Linux.memfd_create$descriptor());
    private static final MethodHandle FTRUNCATE = withErrno(Linux.ftruncate$address(), Linux.ftruncate$descriptor());
    private static final MethodHandle MMAP = withErrno(Linux.mmap$address(), Linux.mmap$descriptor());
    private static final MethodHandle MUNMAP = withErrno(Linux.munmap$address(), Linux.munmap$descriptor());
    private static final MethodHandle INOTIFY_INIT1 = withErrno(Linux.inotify_init1$address(), Linux.inotify_init1$descriptor());
    private static final MethodHandle INOTIFY_ADD_WATCH = withErrno(Linux.inotify_add_watch$address(), Linux.inotify_add_watch$descriptor());
    private static final MethodHandle STATVFS = withErrno(Linux.statvfs$address(), Linux.statvfs$descriptor());

    private RawSyscalls() {
    }

    public static int epollCreate1(int flags) {
        return (int) RawCall.EPOLL_CREATE1.invoke(e -> (int) EPOLL_CREATE1.invokeExact(e, flags));
    }

    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        return (int) RawCall.EPOLL_CTL.invoke(e -> (int) EPOLL_CTL.invokeExact(e, epfd, op, fd, event));
    }

    /** Returns 0 events when a signal interrupted the wait: the caller's loop recomputes its timeout. */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        return (int) RawCall.EPOLL_WAIT.invoke(e -> (int) EPOLL_WAIT.invokeExact(e, epfd, events, maxEvents, timeoutMillis));
    }

    public static int timerfdCreate(int clockId, int flags) {
        return (int) RawCall.TIMERFD_CREATE.invoke(e -> (int) TIMERFD_CREATE.invokeExact(e, clockId, flags));
    }

    public static int timerfdSettime(int fd, int flags, MemorySegment newValue, MemorySegment oldValue) {
        return (int) RawCall.TIMERFD_SETTIME.invoke(e -> (int) TIMERFD_SETTIME.invokeExact(e, fd, flags, newValue, oldValue));
    }

    public static int eventfd(int initialValue, int flags) {
        return (int) RawCall.EVENTFD.invoke(e -> (int) EVENTFD.invokeExact(e, initialValue, flags));
    }

    public static long read(int fd, MemorySegment buffer, long count) {
        return RawCall.READ.invoke(e -> (long) READ.invokeExact(e, fd, buffer, count));
    }

    public static long write(int fd, MemorySegment buffer, long count) {
        return RawCall.WRITE.invoke(e -> (long) WRITE.invokeExact(e, fd, buffer, count));
    }

    public static long readv(int fd, MemorySegment iovecs, int count) {
        return RawCall.READV.invoke(e -> (long) READV.invokeExact(e, fd, iovecs, count));
    }

    public static long writev(int fd, MemorySegment iovecs, int count) {
        return RawCall.WRITEV.invoke(e -> (long) WRITEV.invokeExact(e, fd, iovecs, count));
    }

    public static int close(int fd) {
        return (int) RawCall.CLOSE.invoke(e -> (int) CLOSE.invokeExact(e, fd));
    }

    public static int open(MemorySegment path, int flags, int mode) {
        return (int) RawCall.OPEN.invoke(e -> (int) OPEN.invokeExact(e, path, flags, mode));
    }

    public static int fcntl(int fd, int command, int argument) {
        return (int) RawCall.FCNTL.invoke(e -> (int) FCNTL.invokeExact(e, fd, command, argument));
    }

    public static int ioctl(int fd, long request, MemorySegment argument) {
        return (int) RawCall.IOCTL.invoke(e -> (int) IOCTL.invokeExact(e, fd, request, argument));
    }

    public static int unlink(MemorySegment path) {
        return (int) RawCall.UNLINK.invoke(e -> (int) UNLINK.invokeExact(e, path));
    }

    public static int pipe2(MemorySegment fds, int flags) {
        return (int) RawCall.PIPE2.invoke(e -> (int) PIPE2.invokeExact(e, fds, flags));
    }

    public static int memfdCreate(MemorySegment name, int flags) {
        return (int) RawCall.MEMFD_CREATE.invoke(e -> (int) MEMFD_CREATE.invokeExact(e, name, flags));
    }

    public static int ftruncate(int fd, long length) {
        return (int) RawCall.FTRUNCATE.invoke(e -> (int) FTRUNCATE.invokeExact(e, fd, length));
    }

    /** The mapping's address, or {@code -errno} (mmap reports failure as MAP_FAILED, i.e. -1). */
    public static long mmap(MemorySegment address, long length, int protection, int flags, int fd, long offset) {
        return RawCall.MMAP.invoke(e -> ((MemorySegment) MMAP.invokeExact(e, address, length, protection, flags, fd, offset)).address());
    }

    public static int munmap(MemorySegment address, long length) {
        return (int) RawCall.MUNMAP.invoke(e -> (int) MUNMAP.invokeExact(e, address, length));
    }

    public static int inotifyInit1(int flags) {
        return (int) RawCall.INOTIFY_INIT1.invoke(e -> (int) INOTIFY_INIT1.invokeExact(e, flags));
    }

    public static int inotifyAddWatch(int fd, MemorySegment path, int mask) {
        return (int) RawCall.INOTIFY_ADD_WATCH.invoke(e -> (int) INOTIFY_ADD_WATCH.invokeExact(e, fd, path, mask));
    }

    public static int statvfs(MemorySegment path, MemorySegment buf) {
        return (int) RawCall.STATVFS.invoke(e -> (int) STATVFS.invokeExact(e, path, buf));
    }
}
