package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.unexpected;
import static io.qtx.ffi.Downcalls.withErrno;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level for sockets: one system call each, the result or {@code -errno}, EINTR
 * retried here. connect(2) is not retried: after EINTR the connection goes on in the
 * background, so it is reported as EINPROGRESS and completed like a non-blocking connect.
 */
public final class RawSockets {

    private static final int EINTR = Linux.EINTR();
    private static final int EINPROGRESS = Linux.EINPROGRESS();

    private static final MethodHandle SOCKET = withErrno(Linux.socket$address(), Linux.socket$descriptor());
    private static final MethodHandle SOCKETPAIR = withErrno(Linux.socketpair$address(), Linux.socketpair$descriptor());
    private static final MethodHandle BIND = withErrno(Linux.bind$address(), Linux.bind$descriptor());
    private static final MethodHandle LISTEN = withErrno(Linux.listen$address(), Linux.listen$descriptor());
    private static final MethodHandle ACCEPT4 = withErrno(Linux.accept4$address(), Linux.accept4$descriptor());
    private static final MethodHandle CONNECT = withErrno(Linux.connect$address(), Linux.connect$descriptor());
    private static final MethodHandle GETSOCKOPT = withErrno(Linux.getsockopt$address(), Linux.getsockopt$descriptor());
    private static final MethodHandle SETSOCKOPT = withErrno(Linux.setsockopt$address(), Linux.setsockopt$descriptor());
    private static final MethodHandle SHUTDOWN = withErrno(Linux.shutdown$address(), Linux.shutdown$descriptor());

    private RawSockets() {
    }

    private static int result(int r, MemorySegment errnoCell) {
        return r != -1 ? r : -ErrnoCell.errno(errnoCell);
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) SOCKET.invokeExact(e, domain, type, protocol), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int socketpair(int domain, int type, int protocol, MemorySegment fds) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) SOCKETPAIR.invokeExact(e, domain, type, protocol, fds), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int bind(int fd, MemorySegment address, int length) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) BIND.invokeExact(e, fd, address, length), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int listen(int fd, int backlog) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) LISTEN.invokeExact(e, fd, backlog), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int accept4(int fd, MemorySegment address, MemorySegment length, int flags) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r;
            do {
                r = result((int) ACCEPT4.invokeExact(e, fd, address, length, flags), e);
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int connect(int fd, MemorySegment address, int length) {
        MemorySegment e = ErrnoCell.get();
        try {
            int r = result((int) CONNECT.invokeExact(e, fd, address, length), e);
            return r == -EINTR ? -EINPROGRESS : r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) GETSOCKOPT.invokeExact(e, fd, level, name, value, length), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) SETSOCKOPT.invokeExact(e, fd, level, name, value, length), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int shutdown(int fd, int how) {
        MemorySegment e = ErrnoCell.get();
        try {
            return result((int) SHUTDOWN.invokeExact(e, fd, how), e);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
