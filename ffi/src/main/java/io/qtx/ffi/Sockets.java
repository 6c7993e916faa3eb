package io.qtx.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.sockaddr_un;

/**
 * Checked, non-blocking Unix stream sockets: every socket made here is
 * {@code SOCK_NONBLOCK|SOCK_CLOEXEC}, and failures name the call and the socket path.
 */
public final class Sockets {

    public static final int SHUT_RD = Linux.SHUT_RD();
    public static final int SHUT_WR = Linux.SHUT_WR();
    public static final int SHUT_RDWR = Linux.SHUT_RDWR();

    private static final int STREAM = Linux.SOCK_STREAM() | Linux.SOCK_NONBLOCK() | Linux.SOCK_CLOEXEC();
    private static final long PATH_CAPACITY = sockaddr_un.sun_path$layout().byteSize();

    private Sockets() {
    }

    /** A connected pair, both ends non-blocking. */
    public static Fd[] socketpair() throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Linux.C_INT, 2);
            Syscalls.check("socketpair", null, RawSockets.socketpair(Linux.AF_UNIX(), STREAM, 0, fds));
            return new Fd[] {
                new Fd(fds.getAtIndex(Linux.C_INT, 0), "socketpair end 0"),
                new Fd(fds.getAtIndex(Linux.C_INT, 1), "socketpair end 1")
            };
        }
    }

    /** A socket bound to {@code path} and listening with {@code backlog}. */
    public static Fd listen(String path, int backlog) throws NativeException {
        Fd fd = newSocket("socket", path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = address(arena, "bind", path);
            Syscalls.check("bind", path, RawSockets.bind(fd.intValue(), address, (int) address.byteSize()));
            Syscalls.check("listen", path, RawSockets.listen(fd.intValue(), backlog));
            return fd;
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The next pending connection, or null when none is waiting. */
    public static Fd accept(Fd listener) throws NativeException {
        int r = RawSockets.accept4(listener.checkedValue("accept4"), MemorySegment.NULL, MemorySegment.NULL,
                Linux.SOCK_NONBLOCK() | Linux.SOCK_CLOEXEC());
        if (r == -Errno.EAGAIN) {
            return null;
        }
        return new Fd(Syscalls.check("accept4", listener.description(), r), "accepted on " + listener.description());
    }

    /**
     * Starts connecting a new socket to {@code path}. The result is connected when
     * {@link Connecting#connected()}; otherwise wait for the socket to be writable and call
     * {@link #finishConnect(Connecting)}. A missing socket or refused connection throws at once.
     */
    public static Connecting connect(String path) throws NativeException {
        Fd fd = newSocket("socket", path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = address(arena, "connect", path);
            int r = RawSockets.connect(fd.intValue(), address, (int) address.byteSize());
            if (r == 0) {
                return new Connecting(fd, path, true);
            }
            if (r == -Errno.EINPROGRESS || r == -Errno.EAGAIN) {
                return new Connecting(fd, path, false);
            }
            throw Syscalls.failure("connect", path, -r);
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Completes a connect that was in progress: SO_ERROR, as a named exception if it failed. */
    public static void finishConnect(Connecting connecting) throws NativeException {
        int error = socketError(connecting.fd());
        if (error != 0) {
            throw Syscalls.failure("connect", connecting.path(), error);
        }
    }

    /** The pending error of a socket (SO_ERROR), 0 if none; reading it clears it. */
    public static int socketError(Fd fd) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Linux.C_INT);
            MemorySegment length = arena.allocateFrom(Linux.C_INT, (int) Linux.C_INT.byteSize());
            int r = RawSockets.getsockopt(fd.checkedValue("getsockopt"), Linux.SOL_SOCKET(), Linux.SO_ERROR(), value,
                    length);
            Syscalls.check("getsockopt(SO_ERROR)", fd.description(), r);
            return value.get(Linux.C_INT, 0);
        }
    }

    /** A socket being connected to {@code path}. */
    public record Connecting(Fd fd, String path, boolean connected) {
    }

    private static Fd newSocket(String call, String path) throws NativeException {
        return new Fd(Syscalls.check(call, path, RawSockets.socket(Linux.AF_UNIX(), STREAM, 0)), "unix:" + path);
    }

    private static MemorySegment address(Arena arena, String call, String path) throws NativeException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= PATH_CAPACITY) {
            // The kernel would truncate silently; say why instead.
            throw new NativeException(call, path + " is " + bytes.length + " bytes, the limit is " + (PATH_CAPACITY - 1),
                    Errno.ENAMETOOLONG);
        }
        MemorySegment address = arena.allocate(sockaddr_un.layout());
        sockaddr_un.sun_family(address, (short) Linux.AF_UNIX());
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, sockaddr_un.sun_path(address), 0, bytes.length);
        return address;
    }
}
