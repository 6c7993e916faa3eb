package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.unexpected;
import static io.qtx.ffi.Downcalls.nonBlockingWithErrno;
import static io.qtx.ffi.Downcalls.withErrno;
import static io.qtx.ffi.Downcalls.withErrnoVariadic;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level: each method makes one system call and returns its result, or {@code -errno}
 * on failure. Nothing throws here (but a broken handle), and EINTR is retried here and only
 * here, so no caller ever sees it. {@link Syscalls} is the checked level above.
 *
 * <p>close(2) is the one call never retried: on Linux the descriptor is gone even when it
 * reports EINTR, and a retry could close a descriptor another thread just opened.
 */
public final class RawSyscalls {

    private static final int EINTR = Linux.EINTR();

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

    /** {@code r} as the call returned it, or {@code -errno} where it reported failure with -1. */
    private static long result(long r, MemorySegment errnoCell) {
        return r != -1 ? r : -ErrnoCell.errno(errnoCell);
    }

    public static int epollCreate1(int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) EPOLL_CREATE1.invokeExact(e, flags), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) EPOLL_CTL.invokeExact(e, epfd, op, fd, event), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Returns 0 events when a signal interrupted the wait: the caller's loop recomputes its timeout. */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r = (int) result((int) EPOLL_WAIT.invokeExact(e, epfd, events, maxEvents, timeoutMillis), e);
            return r == -EINTR ? 0 : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int timerfdCreate(int clockId, int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) TIMERFD_CREATE.invokeExact(e, clockId, flags), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int timerfdSettime(int fd, int flags, MemorySegment newValue, MemorySegment oldValue) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) TIMERFD_SETTIME.invokeExact(e, fd, flags, newValue, oldValue), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int eventfd(int initialValue, int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) EVENTFD.invokeExact(e, initialValue, flags), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long read(int fd, MemorySegment buffer, long count) {
        MemorySegment e = ErrnoCell.get();
        try {
            long r;
            do {
                r = result((long) READ.invokeExact(e, fd, buffer, count), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long write(int fd, MemorySegment buffer, long count) {
        MemorySegment e = ErrnoCell.get();
        try {
            long r;
            do {
                r = result((long) WRITE.invokeExact(e, fd, buffer, count), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long readv(int fd, MemorySegment iovecs, int count) {
        MemorySegment e = ErrnoCell.get();
        try {
            long r;
            do {
                r = result((long) READV.invokeExact(e, fd, iovecs, count), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long writev(int fd, MemorySegment iovecs, int count) {
        MemorySegment e = ErrnoCell.get();
        try {
            long r;
            do {
                r = result((long) WRITEV.invokeExact(e, fd, iovecs, count), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int close(int fd) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r = (int) result((int) CLOSE.invokeExact(e, fd), e);
            return r == -EINTR ? 0 : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int open(MemorySegment path, int flags, int mode) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r;
            do {
                r = (int) result((int) OPEN.invokeExact(e, path, flags, mode), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int fcntl(int fd, int command, int argument) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) FCNTL.invokeExact(e, fd, command, argument), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int ioctl(int fd, long request, MemorySegment argument) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r;
            do {
                r = (int) result((int) IOCTL.invokeExact(e, fd, request, argument), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int unlink(MemorySegment path) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) UNLINK.invokeExact(e, path), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) PIPE2.invokeExact(e, fds, flags), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int memfdCreate(MemorySegment name, int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) MEMFD_CREATE.invokeExact(e, name, flags), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int ftruncate(int fd, long length) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r;
            do {
                r = (int) result((int) FTRUNCATE.invokeExact(e, fd, length), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The mapping's address, or {@code -errno} (mmap reports failure as MAP_FAILED, i.e. -1). */
    public static long mmap(MemorySegment address, long length, int protection, int flags, int fd, long offset) {
        MemorySegment e = ErrnoCell.get();
        try {
            MemorySegment r = (MemorySegment) MMAP.invokeExact(e, address, length, protection, flags, fd, offset);
            return result(r.address(), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int munmap(MemorySegment address, long length) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) MUNMAP.invokeExact(e, address, length), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int inotifyInit1(int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) INOTIFY_INIT1.invokeExact(e, flags), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int inotifyAddWatch(int fd, MemorySegment path, int mask) {
        MemorySegment e = ErrnoCell.get();
        try {
            return (int) result((int) INOTIFY_ADD_WATCH.invokeExact(e, fd, path, mask), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int statvfs(MemorySegment path, MemorySegment buf) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r;
            do {
                r = (int) result((int) STATVFS.invokeExact(e, path, buf), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
