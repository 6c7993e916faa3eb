package io.qtx.node;

import java.io.IOException;
import java.nio.file.Path;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;

/**
 * The connect(2) of one VM's socket, at most one in flight: a completion no longer wanted (a
 * newer attempt began, or the VM {@link #forget forgot} its attempts) closes its descriptor the
 * moment it arrives and is never reported. Loop thread only.
 */
final class SocketDialer {

    /** How a wanted attempt ended. */
    interface Outcome {
        void connected(Fd fd);

        void failed(String why);
    }

    private final EventLoop loop;
    private final Path socket;
    private boolean connecting;
    /** Bumped on every attempt and by forget, so a stale completion is recognised. */
    private int generation;
    private long attempts;

    SocketDialer(EventLoop loop, Path socket) {
        this.loop = loop;
        this.socket = socket;
    }

    boolean isConnecting() {
        return connecting;
    }

    long attempts() {
        return attempts;
    }

    void dial(Outcome outcome) {
        connecting = true;
        attempts++;
        int attempt = ++generation;
        UnixSockets.connect(loop, socket.toString(), new UnixSockets.ConnectCallback() {
            @Override
            public void connected(Fd fd) {
                if (attempt != generation) {
                    fd.close();
                    return;
                }
                connecting = false;
                outcome.connected(fd);
            }

            @Override
            public void failed(IOException cause) {
                if (attempt == generation) {
                    connecting = false;
                    outcome.failed(cause.getMessage());
                }
            }
        });
    }

    /** No attempt begun so far is wanted any more: the VM went away. */
    void forget() {
        generation++;
    }
}
