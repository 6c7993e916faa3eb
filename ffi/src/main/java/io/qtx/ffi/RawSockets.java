package io.qtx.ffi;

import static io.qtx.ffi.Downcalls.withErrno;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.qtx.ffi.generated.Linux;

/**
 * The raw level for sockets: one system call each, the result or {@code -errno}, EINTR handled
 * by {@link RawCall}'s table (connect's becomes EINPROGRESS). {@link Sockets} is the checked level.
 */
public final class RawSockets {

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

    public static int socket(int domain, int type, int protocol) {
        return (int) RawCall.SOCKET.invoke(e -> (int) SOCKET.invokeExact(e, domain, type, protocol));
    }

    public static int socketpair(int domain, int type, int protocol, MemorySegment fds) {
        return (int) RawCall.SOCKETPAIR.invoke(e -> (int) SOCKETPAIR.invokeExact(e, domain, type, protocol, fds));
    }

    public static int bind(int fd, MemorySegment address, int length) {
        return (int) RawCall.BIND.invoke(e -> (int) BIND.invokeExact(e, fd, address, length));
    }

    public static int listen(int fd, int backlog) {
        return (int) RawCall.LISTEN.invoke(e -> (int) LISTEN.invokeExact(e, fd, backlog));
    }

    public static int accept4(int fd, MemorySegment address, MemorySegment length, int flags) {
        return (int) RawCall.ACCEPT4.invoke(e -> (int) ACCEPT4.invokeExact(e, fd, address, length, flags));
    }

    public static int connect(int fd, MemorySegment address, int length) {
        return (int) RawCall.CONNECT.invoke(e -> (int) CONNECT.invokeExact(e, fd, address, length));
    }

    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        return (int) RawCall.GETSOCKOPT.invoke(e -> (int) GETSOCKOPT.invokeExact(e, fd, level, name, value, length));
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        return (int) RawCall.SETSOCKOPT.invoke(e -> (int) SETSOCKOPT.invokeExact(e, fd, level, name, value, length));
    }

    public static int shutdown(int fd, int how) {
        return (int) RawCall.SHUTDOWN.invoke(e -> (int) SHUTDOWN.invokeExact(e, fd, how));
    }
}
