package io.qtx.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Sockets;
import io.qtx.ffi.Syscalls;

/** Ping-pong on our FFM event loop over a socketpair. */
final class EpollPingPong implements PingPongBenchmark.PingPong {

    private final EventLoop loop;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ping;
    private final MemorySegment clientBuffer;
    private final MemorySegment echoBuffer;
    private final Registration client;
    private final int messageSize;
    private int received;
    private int remaining;
    private CompletableFuture<Long> done;

    EpollPingPong(int messageSize) throws Exception {
        this.messageSize = messageSize;
        this.loop = EventLoop.start("bench-epoll");
        this.ping = arena.allocate(messageSize);
        this.clientBuffer = arena.allocate(messageSize);
        this.echoBuffer = arena.allocate(messageSize * 4L);
        Fd[] pair = Sockets.socketpair();
        CompletableFuture<Registration> registered = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                loop.register(pair[1], IoEvents.READABLE, false, this::echo);
                registered.complete(loop.register(pair[0], IoEvents.READABLE, false, this::clientReady));
            } catch (Exception e) {
                registered.completeExceptionally(e);
            }
        });
        this.client = registered.get(5, TimeUnit.SECONDS);
    }

    private void echo(Registration registration, int events) throws NativeException {
        long n;
        while ((n = registration.fd().read(echoBuffer)) > 0) {
            writeFully(registration.fd(), echoBuffer.asSlice(0, n));
            if (n < echoBuffer.byteSize()) {
                return; // a short read drains a stream socket: skip the read that says EAGAIN
            }
        }
    }

    private void clientReady(Registration registration, int events) throws NativeException {
        long n;
        while ((n = registration.fd().read(clientBuffer)) > 0) {
            received += (int) n;
            if (received == messageSize) {
                received = 0;
                if (--remaining == 0) {
                    done.complete((long) remaining);
                    return;
                }
                writeFully(registration.fd(), ping);
            }
            if (n < clientBuffer.byteSize()) {
                return;
            }
        }
    }

    private static void writeFully(Fd fd, MemorySegment data) throws NativeException {
        long offset = 0;
        while (offset < data.byteSize()) {
            long w = fd.write(data.asSlice(offset));
            if (w == Syscalls.WOULD_BLOCK) {
                throw new IllegalStateException("socket buffer full in a ping-pong");
            }
            offset += w;
        }
    }

    @Override
    public long run(int roundTrips) throws Exception {
        CompletableFuture<Long> finished = new CompletableFuture<>();
        loop.execute(() -> {
            done = finished;
            remaining = roundTrips;
            try {
                writeFully(client.fd(), ping);
            } catch (NativeException e) {
                finished.completeExceptionally(e);
            }
        });
        return finished.get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        loop.close();
        arena.close();
    }
}
