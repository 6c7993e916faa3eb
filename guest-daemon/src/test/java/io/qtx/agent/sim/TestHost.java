package io.qtx.agent.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Ping;
import io.qtx.proto.Pong;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.Role;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.ChannelOptions;
import io.qtx.session.Handshake;
import io.qtx.session.Session;

/** A minimal host daemon on the session layer: connects to a host socket (simulator or QEMU) and asks things. */
public final class TestHost implements AutoCloseable {

    final EventLoop loop;
    public final BlockingQueue<Hello> ready = new LinkedBlockingQueue<>();
    public final BlockingQueue<TelemetryReport> telemetry = new LinkedBlockingQueue<>();
    final Map<Long, CompletableFuture<Envelope>> pending = new ConcurrentHashMap<>();
    private Session session;

    private TestHost(EventLoop loop) {
        this.loop = loop;
    }

    public static TestHost connect(Path hostSocket) throws Exception {
        TestHost host = new TestHost(EventLoop.start("test-host"));
        CompletableFuture<Void> connected = new CompletableFuture<>();
        host.loop.execute(() -> UnixSockets.connect(host.loop, hostSocket.toString(), new UnixSockets.ConnectCallback() {
            @Override
            public void connected(Fd fd) {
                try {
                    host.start(fd);
                    connected.complete(null);
                } catch (Exception e) {
                    connected.completeExceptionally(e);
                }
            }

            @Override
            public void failed(IOException cause) {
                connected.completeExceptionally(cause);
            }
        }));
        try {
            connected.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            host.close();
            throw e;
        }
        return host;
    }

    private void start(Fd fd) throws Exception {
        Handshake.Identity me = new Handshake.Identity(Role.ROLE_HOST, "test-host", ByteString.copyFromUtf8("test-host"),
                "", 1 << 20, null, "test");
        session = new Session(loop, fd, ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET), me,
                Duration.ofMillis(500), Pong::getDefaultInstance, new Session.Listener() {
                    @Override
                    public void onReady(Hello peer) {
                        ready.add(peer);
                    }

                    @Override
                    public void onEnvelope(Envelope e) {
                        if (e.hasTelemetry()) {
                            telemetry.add(e.getTelemetry());
                        }
                        CompletableFuture<Envelope> f = pending.remove(e.getReplyTo());
                        if (f != null) {
                            f.complete(e);
                        }
                    }

                    @Override
                    public void onClosed(IOException cause) {
                        pending.values().forEach(f -> f.completeExceptionally(new IOException("closed", cause)));
                    }
                }, "test-host");
        session.start();
    }

    public Hello awaitReady(Duration timeout) throws InterruptedException {
        Hello h = ready.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (h == null) {
            throw new AssertionError("no handshake with the agent within " + timeout);
        }
        return h;
    }

    /** Sends {@code envelope} and returns the future of the envelope answering it. */
    CompletableFuture<Envelope> send(Envelope.Builder envelope) throws Exception {
        CompletableFuture<CompletableFuture<Envelope>> queued = new CompletableFuture<>();
        loop.execute(() -> {
            // Registered under the id before the answer can possibly arrive: both on this loop.
            CompletableFuture<Envelope> answer = new CompletableFuture<>();
            long id = session.send(envelope);
            if (id == -1) {
                answer.completeExceptionally(new IOException("not sent"));
            } else {
                pending.put(id, answer);
            }
            queued.complete(answer);
        });
        return queued.get(5, TimeUnit.SECONDS);
    }

    CompletableFuture<Envelope> request(Request.Builder request) throws Exception {
        if (request.getDeadlineAgentMs() == 0) {
            request.setDeadlineAgentMs(agentDeadline(Duration.ofSeconds(60)));
        }
        return send(Envelope.newBuilder().setRequest(request));
    }

    /** {@code fromNow} (negative: ago) in the agent's clock, converted as qx-node does. */
    public long agentDeadline(Duration fromNow) throws Exception {
        CompletableFuture<Long> deadline = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                deadline.complete(session.peerDeadlineMs(fromNow));
            } catch (RuntimeException e) {
                deadline.completeExceptionally(e);
            }
        });
        return deadline.get(5, TimeUnit.SECONDS);
    }

    public Response call(Request.Builder request) throws Exception {
        return request(request).get(30, TimeUnit.SECONDS).getResponse();
    }

    public Pong ping() throws Exception {
        return send(Envelope.newBuilder().setPing(Ping.getDefaultInstance())).get(10, TimeUnit.SECONDS).getPong();
    }

    /** Stops reading (and writing): the loop thread is kept busy until {@code release} completes. */
    void stall(CompletableFuture<Void> release) {
        loop.execute(() -> release.join());
    }

    @Override
    public void close() {
        loop.close();
    }
}
