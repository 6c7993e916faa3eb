package io.qtx.epoll;

import java.io.IOException;
import java.util.function.Consumer;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Sockets;
import io.qtx.ffi.Syscalls;

/**
 * Non-blocking Unix stream sockets on an {@link EventLoop}: listening, and connecting with
 * EINPROGRESS completed when the socket turns writable (the outcome read from SO_ERROR).
 * All callbacks run on the loop thread.
 */
public final class UnixSockets {

    private UnixSockets() {
    }

    /** What a connect attempt comes to; exactly one method is called, once. */
    public interface ConnectCallback {

        /** Connected: the caller owns {@code fd} (register it, or close it). */
        void connected(Fd fd);

        /** Refused, missing, or failed while in progress; the socket is already closed. */
        void failed(IOException cause);
    }

    /**
     * Listens on {@code path} (which must not exist) and hands each accepted connection to
     * {@code onAccept}, which then owns it. Closing the returned registration stops listening;
     * the socket file is the caller's to unlink. Loop thread only.
     */
    public static Registration listen(EventLoop loop, String path, int backlog, Consumer<Fd> onAccept)
            throws NativeException {
        Fd listener = Sockets.listen(path, backlog);
        try {
            return loop.register(listener, IoEvents.READABLE, false, (registration, events) -> {
                Fd accepted;
                while ((accepted = Sockets.accept(registration.fd())) != null) {
                    onAccept.accept(accepted);
                }
            });
        } catch (NativeException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Connects to {@code path}. A missing or refusing socket fails at once (through the
     * callback); a connect in progress completes when the kernel says so. Loop thread only.
     */
    public static void connect(EventLoop loop, String path, ConnectCallback callback) {
        loop.checkInLoop("UnixSockets.connect");
        Sockets.Connecting connecting;
        try {
            connecting = Sockets.connect(path);
        } catch (NativeException e) {
            callback.failed(e);
            return;
        }
        if (connecting.connected()) {
            callback.connected(connecting.fd());
            return;
        }
        try {
            loop.register(connecting.fd(), IoEvents.WRITABLE, false, (registration, events) -> {
                registration.cancel();
                try {
                    Sockets.finishConnect(connecting);
                } catch (NativeException e) {
                    connecting.fd().close();
                    callback.failed(e);
                    return;
                }
                callback.connected(connecting.fd());
            });
        } catch (NativeException | RuntimeException e) {
            connecting.fd().close();
            callback.failed(e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Opens a character device such as a virtio port: read-write, non-blocking, close-on-exec. */
    public static Fd openDevice(String path) throws NativeException {
        return Syscalls.openDevice(path);
    }
}
