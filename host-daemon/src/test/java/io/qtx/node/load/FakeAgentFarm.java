package io.qtx.node.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Registration;
import io.qtx.epoll.Timer;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;
import io.qtx.node.FakeAgent;
import io.qtx.node.FakeHandlers;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Memory;
import io.qtx.proto.Pong;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.ChannelOptions;
import io.qtx.session.Session;

/**
 * Fake agents in one process on one loop, for the demo's fallback and for load:
 * <ul>
 * <li>{@code --attach PORT_SOCKET...}: one agent per simulator guest socket;</li>
 * <li>{@code --serve DIR --count N}: plays QEMU and agent at once for N VMs: listens on
 * {@code DIR/load-NNNN.agent.sock} ({@code --prefix} instead of load; backlog 1, one client served at a time) and runs an agent
 * session on each accepted connection. Not 1000 JVMs: one loop, one process.</li>
 * </ul>
 * {@code --telemetry-ms M} sets the report interval (each agent with its own phase).
 */
public final class FakeAgentFarm {

    private final EventLoop loop;
    private final Duration every;
    private final FakeHandlers handlers = new FakeHandlers();
    private final Random random = new Random();
    private long reports;

    private FakeAgentFarm(EventLoop loop, Duration every) {
        this.loop = loop;
        this.every = every;
    }

    public static void main(String[] args) throws Exception {
        List<String> attach = new ArrayList<>();
        Path serve = null;
        int count = 0;
        String prefix = "load";
        Duration every = Duration.ofSeconds(1);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--attach" -> {
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        attach.add(args[++i]);
                    }
                }
                case "--serve" -> serve = Path.of(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--prefix" -> prefix = args[++i];
                case "--telemetry-ms" -> every = Duration.ofMillis(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        EventLoop loop = EventLoop.start("fake-agent-farm");
        FakeAgentFarm farm = new FakeAgentFarm(loop, every);
        for (String port : attach) {
            new FakeAgent(loop, Path.of(port), "fake-" + Path.of(port).getFileName(), farm.handlers, every).attach().join();
        }
        if (serve != null) {
            Files.createDirectories(serve);
            Path dir = serve;
            int n = count;
            String p = prefix;
            loop.execute(() -> {
                for (int i = 1; i <= n; i++) {
                    farm.serve(dir.resolve(String.format("%s-%04d.agent.sock", p, i)), String.format("%s-%04d", p, i));
                }
            });
        }
        System.out.println("fake agents running: " + attach.size() + " attached, " + count + " served");
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            forever.countDown();
        }));
        forever.await();
    }

    private void serve(Path socket, String name) {
        try {
            Files.deleteIfExists(socket);
            Registration[] listener = new Registration[1];
            listener[0] = UnixSockets.listen(loop, socket.toString(), 1, fd -> accept(listener[0], fd, socket, name));
        } catch (Exception e) {
            System.err.println(socket + ": " + e.getMessage());
        }
    }

    /** One client at a time, like QEMU: stop accepting until it leaves. */
    private void accept(Registration listener, Fd fd, Path socket, String name) {
        try {
            listener.setInterest(0);
        } catch (Exception e) {
            fd.close();
            return;
        }
        Timer[] telemetry = new Timer[1];
        Session[] session = new Session[1];
        session[0] = new Session(loop, fd, new ChannelOptions(ChannelOptions.Kind.STREAM_SOCKET, 256 * 1024, 256 * 1024,
                512 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(5)), FakeAgent.identity(name, every),
                Duration.ofSeconds(2), () -> Pong.newBuilder().setUptimeMs(1).build(), new Session.Listener() {
                    @Override
                    public void onReady(Hello peer) {
                        if (telemetry[0] == null) {
                            Duration phase = Duration.ofMillis(random.nextLong(Math.max(1, every.toMillis())));
                            telemetry[0] = loop.scheduleAtFixedRate(phase, every, () -> report(session[0], name));
                        }
                    }

                    @Override
                    public void onEnvelope(Envelope e) {
                        if (e.getPayloadCase() == Envelope.PayloadCase.REQUEST) {
                            session[0].reply(e.getId(), Envelope.newBuilder().setResponse(handlers.apply(e.getRequest())));
                        }
                    }

                    @Override
                    public void onClosed(IOException cause) {
                        if (telemetry[0] != null) {
                            telemetry[0].cancel();
                        }
                        try {
                            listener.setInterest(io.qtx.epoll.IoEvents.READABLE);
                        } catch (Exception e) {
                            listener.close();
                        }
                    }
                }, name);
        try {
            session[0].start();
        } catch (Exception e) {
            System.err.println(name + ": " + e.getMessage());
        }
    }

    private void report(Session s, String name) {
        if (s.isReady()) {
            reports++;
            s.send(Envelope.newBuilder().setTelemetry(TelemetryReport.newBuilder()
                    .setCollectedUnixMs(System.currentTimeMillis()).setCpuPercent(random.nextDouble() * 100)
                    .setHostname(name).setProcessCount(100 + random.nextInt(50)).setLoad1M(random.nextDouble())
                    .setUptimeMs(reports).setMemory(Memory.newBuilder().setTotalBytes(2L << 30)
                            .setAvailableBytes(1L << 30).setUsedBytes(1L << 30))), 0);
        }
    }

}
