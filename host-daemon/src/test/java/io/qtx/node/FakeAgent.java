package io.qtx.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.google.protobuf.ByteString;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;
import io.qtx.proto.Capabilities;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Memory;
import io.qtx.proto.Pong;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.Role;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.ChannelOptions;
import io.qtx.session.Handshake;
import io.qtx.session.Session;

/**
 * A tiny agent on the shared session layer, for tests: attaches to a simulator's guest port
 * socket (or any socket), answers requests with {@code handler} (null = never answer), and
 * sends telemetry every {@code telemetryEvery} (null = never). Runs on the caller's loop.
 */
public final class FakeAgent implements Session.Listener, AutoCloseable {

    private final EventLoop loop;
    private final Path port;
    private final Function<Request, Response> handler;
    private final Duration telemetryEvery;
    private final String hostname;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Session session;
    private volatile boolean ready;
    private Timer telemetry;
    private long sequence;
    /** What the test adds to every report (filesystems, interfaces...); set before attach or from the loop. */
    private volatile java.util.function.UnaryOperator<TelemetryReport.Builder> reportExtras = b -> b;
    /** Set before {@link #attach()}: a new value is what a restarted agent process says. */
    volatile String instanceId = "fake-instance-id";

    public FakeAgent(EventLoop loop, Path port, String hostname, Function<Request, Response> handler, Duration telemetryEvery) {
        this.loop = loop;
        this.port = port;
        this.hostname = hostname;
        this.handler = handler;
        this.telemetryEvery = telemetryEvery;
    }

    /** Connects to the port; completes once connected (not handshaken). */
    public CompletableFuture<Void> attach() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> UnixSockets.connect(loop, port.toString(), new UnixSockets.ConnectCallback() {
            @Override
            public void connected(Fd fd) {
                Session s = new Session(loop, fd, new ChannelOptions(ChannelOptions.Kind.STREAM_SOCKET,
                        256 * 1024, 256 * 1024, 512 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(5)), identity(hostname, telemetryEvery, instanceId),
                        Duration.ofMillis(500), () -> Pong.newBuilder().setUptimeMs(1).build(), FakeAgent.this, hostname);
                session = s;
                try {
                    s.start();
                    done.complete(null);
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void failed(IOException cause) {
                done.completeExceptionally(cause);
            }
        }));
        return done;
    }

    public static Handshake.Identity identity(String hostname, Duration telemetryEvery) {
        return identity(hostname, telemetryEvery, "fake-instance-id");
    }

    static Handshake.Identity identity(String hostname, Duration telemetryEvery, String instanceId) {
        return new Handshake.Identity(Role.ROLE_AGENT, "fake-1", ByteString.copyFromUtf8(instanceId), "boot",
                256 * 1024, Capabilities.newBuilder()
                        .setTelemetryIntervalMs(telemetryEvery == null ? 0 : (int) telemetryEvery.toMillis()).build(),
                hostname);
    }

    /** Closes the agent's side, as when the guest agent process dies. */
    CompletableFuture<Void> detach() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (telemetry != null) {
                telemetry.cancel();
                telemetry = null;
            }
            if (session != null) {
                session.close();
                session = null;
            }
            ready = false;
            done.complete(null);
        });
        return done;
    }

    boolean isReady() {
        return ready;
    }

    int requestsSeen() {
        return requests.get();
    }

    @Override
    public void onReady(Hello peer) {
        ready = true;
        if (telemetryEvery != null && telemetry == null) {
            telemetry = loop.scheduleAtFixedRate(Duration.ZERO, telemetryEvery, this::sendTelemetry);
        }
    }

    private void sendTelemetry() {
        Session s = session;
        if (s != null && s.isReady()) {
            sequence++;
            s.send(Envelope.newBuilder().setTelemetry(reportExtras.apply(TelemetryReport.newBuilder()
                    .setCollectedUnixMs(System.currentTimeMillis()).setCpuPercent(sequence % 100).setHostname(hostname)
                    .setProcessCount((int) sequence)
                    .setMemory(Memory.newBuilder().setTotalBytes(1 << 30).setAvailableBytes(1 << 29)))), 0);
        }
    }

    /** Every later report goes through {@code extras} before it is sent. */
    public void reportExtras(java.util.function.UnaryOperator<TelemetryReport.Builder> extras) {
        this.reportExtras = extras;
    }

    @Override
    public void onEnvelope(Envelope envelope) {
        if (envelope.getPayloadCase() != Envelope.PayloadCase.REQUEST) {
            return;
        }
        requests.incrementAndGet();
        Response answer = handler == null ? null : handler.apply(envelope.getRequest());
        if (answer != null) {
            session.reply(envelope.getId(), Envelope.newBuilder().setResponse(answer));
        }
    }

    @Override
    public void onNotReady(String reason) {
        ready = false;
    }

    @Override
    public void onClosed(IOException cause) {
        ready = false;
    }

    @Override
    public void close() {
        detach().join();
    }
}
