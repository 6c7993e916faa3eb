package io.qtx.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Pong;
import io.qtx.proto.Role;

/** Test support: a session on one end of a socket, recording what its listener hears. */
final class SessionPair {

    static Handshake.Identity identity(Role role) {
        return new Handshake.Identity(role, "test", ByteString.copyFromUtf8(role.name()), "boot", 1 << 20, null,
                "host-" + role.name());
    }

    static final class Recorder implements Session.Listener {
        final BlockingQueue<Hello> ready = new LinkedBlockingQueue<>();
        final BlockingQueue<Envelope> envelopes = new LinkedBlockingQueue<>();
        final BlockingQueue<String> notReady = new LinkedBlockingQueue<>();
        final CompletableFuture<IOException> closed = new CompletableFuture<>();
        /** Times a virtio port's host arrived (the port turned writable). */
        final AtomicInteger peerArrivals = new AtomicInteger();

        @Override
        public void onPeerArrived() {
            peerArrivals.incrementAndGet();
        }

        @Override
        public void onReady(Hello peer) {
            ready.add(peer);
        }

        @Override
        public void onEnvelope(Envelope envelope) {
            envelopes.add(envelope);
        }

        @Override
        public void onNotReady(String reason) {
            notReady.add(reason);
        }

        @Override
        public void onClosed(IOException cause) {
            closed.complete(cause);
        }

        Hello awaitReady() throws InterruptedException {
            // Generous: a wait that is notified costs nothing when it passes, and machines are loaded.
            Hello hello = ready.poll(30, TimeUnit.SECONDS);
            if (hello == null) {
                throw new AssertionError("session not ready within 30 s");
            }
            return hello;
        }
    }

    static Session start(EventLoop loop, Fd fd, Role role, ChannelOptions options, Recorder recorder)
            throws Exception {
        CompletableFuture<Session> started = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                Session session = new Session(loop, fd, options, identity(role), Duration.ofMillis(500),
                        () -> Pong.newBuilder().setUptimeMs(42).build(), recorder, role.name());
                session.start();
                started.complete(session);
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
        });
        return started.get(5, TimeUnit.SECONDS);
    }

    /** Runs {@code body} on the loop and returns its result, or throws what it threw. */
    static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    private SessionPair() {
    }
}
