package io.qtx.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.agent.Agent;
import io.qtx.agent.SystemActions;
import io.qtx.agent.config.AgentConfig;
import io.qtx.agent.handlers.admin.TimeHandlers;
import io.qtx.agent.port.ConnectionState;
import io.qtx.epoll.EventLoop;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;
import io.qtx.proto.Argv;
import io.qtx.proto.Envelope;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.Hello;
import io.qtx.proto.Pong;
import io.qtx.proto.PowerAction;
import io.qtx.proto.PowerRequest;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;
import io.qtx.proto.Role;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.ChannelListener;
import io.qtx.session.ChannelOptions;
import io.qtx.session.FramedChannel;
import io.qtx.sim.ChannelSimulator;
import io.qtx.sim.SimulatedChannel;
import io.qtx.testkit.Await;

/** The agent end to end: simulator in the middle, a small host on the session layer on the other side. */
class AgentSimTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    private final List<PowerAction> powered = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private SimulatedChannel channel() throws IOException {
        return keep(ChannelSimulator.start(dir)).addVm("vm-1");
    }

    private Agent agent(SimulatedChannel ch, Map<String, String> settings) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(Map.of("port", "unix:" + ch.guestSocket(),
                "telemetry.interval", "1s", "files.upload_journal", dir.resolve("upload-journal").toString()));
        all.putAll(settings);
        AgentConfig config = AgentConfig.defaults().with(all);
        SystemActions fakes = new SystemActions((a, m) -> powered.add(a), new io.qtx.agent.handlers.admin.Freezer() {
            @Override
            public void freeze(String m) {
            }

            @Override
            public void thaw(String m) {
            }

            @Override
            public boolean thawIfFrozen(String m) {
                return false;
            }
        }, TimeHandlers.system(), (u, p, c) -> { });
        Agent agent = keep(new Agent(config, fakes, states::add));
        agent.start();
        return agent;
    }

    @Test
    void handshakeThenRequestsAndTelemetryWithKernelFigures() throws Exception {
        SimulatedChannel ch = channel();
        agent(ch, Map.of());
        TestHost host = keep(TestHost.connect(ch.hostSocket()));
        Hello agentHello = host.awaitReady(Duration.ofSeconds(10));
        assertEquals(Role.ROLE_AGENT, agentHello.getRole());
        assertTrue(agentHello.getCapabilities().getServedList().contains(RequestKind.REQUEST_KIND_EXEC));
        assertEquals(1000, agentHello.getCapabilities().getTelemetryIntervalMs());

        Response info = host.call(Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(),
                info.getSystemInfo().getKernelRelease());

        Response exec = host.call(Request.newBuilder().setExec(ExecRequest.newBuilder()
                .setArgv(Argv.newBuilder().addArgs("echo").addArgs("through the channel"))));
        assertEquals("through the channel\n", exec.getExec().getStdout().toStringUtf8());

        TelemetryReport t = host.telemetry.poll(10, TimeUnit.SECONDS);
        assertTrue(t != null, "a telemetry report within 10 s");
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), t.getHostname());
        long memTotalKb = Long.parseLong(Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D", ""));
        assertEquals(memTotalKb * 1024, t.getMemory().getTotalBytes());
        assertTrue(t.getAgent().getFramesReceived() >= 2, t.getAgent().toString());
        assertTrue(states.contains(ConnectionState.RUNNING), states.toString());
    }

    @Test
    void requestsQueuedBeforeTheHandshakeOrPastTheirDeadlineNeverRun() throws Exception {
        SimulatedChannel ch = channel();
        Path stale = dir.resolve("stale-ran");
        Path expired = dir.resolve("expired-ran");
        // An old host writes a request and no handshake; QEMU keeps the bytes for the next guest.
        EventLoop oldHostLoop = keep(EventLoop.start("old-host"));
        CompletableFuture<FramedChannel> old = new CompletableFuture<>();
        oldHostLoop.execute(() -> UnixSockets.connect(oldHostLoop, ch.hostSocket().toString(),
                new UnixSockets.ConnectCallback() {
                    @Override
                    public void connected(Fd fd) {
                        try {
                            FramedChannel raw = new FramedChannel(oldHostLoop, fd,
                                    ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET), new ChannelListener() {
                                        @Override
                                        public void onEnvelope(Envelope e, byte version) {
                                        }

                                        @Override
                                        public void onClosed(IOException cause) {
                                        }
                                    });
                            raw.start();
                            raw.send(Envelope.newBuilder().setId(1).setRequest(touch(stale,
                                    io.qtx.session.PeerClock.nowMs() + 600_000)).build());
                            old.complete(raw);
                        } catch (Exception e) {
                            old.completeExceptionally(e);
                        }
                    }

                    @Override
                    public void failed(IOException cause) {
                        old.completeExceptionally(cause);
                    }
                }));
        old.get(5, TimeUnit.SECONDS);
        ch.awaitStats(s -> s.hostBytesHeld() > 0, Duration.ofSeconds(5));
        agent(ch, Map.of());
        ch.awaitStats(s -> s.guestAttached() && s.bytesHostToGuest() > 0, Duration.ofSeconds(10));
        oldHostLoop.close();

        TestHost host = keep(TestHost.connect(ch.hostSocket()));
        host.awaitReady(Duration.ofSeconds(10));
        // And a request whose deadline has passed by the time it arrives.
        CompletableFuture<Envelope> late = host.request(touch(expired, host.agentDeadline(Duration.ofSeconds(-1))).toBuilder());
        Pong pong = host.ping();
        assertEquals(1, pong.getCounters().getRequestsExpired());
        assertFalse(late.isDone(), "an expired request is not answered");
        assertFalse(Files.exists(stale), "a request from before the handshake ran");
        assertFalse(Files.exists(expired), "an expired request ran");
    }

    private static Request touch(Path file, long deadline) {
        return Request.newBuilder().setDeadlineAgentMs(deadline).setExec(ExecRequest.newBuilder()
                .setArgv(Argv.newBuilder().addArgs("touch").addArgs(file.toString()))).build();
    }

    @Test
    void anUploadCutOffWhenItsHostLeavesLeavesTheOldFileByteForByte() throws Exception {
        SimulatedChannel ch = channel();
        agent(ch, Map.of("files.upload_idle", "1s"));
        Path target = dir.resolve("upload-target");
        byte[] old = new byte[100_000];
        new java.util.Random(11).nextBytes(old);
        Files.write(target, old);
        com.google.protobuf.ByteString id = com.google.protobuf.ByteString.copyFrom(new byte[] {
            9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6});
        try (TestHost host = TestHost.connect(ch.hostSocket())) {
            host.awaitReady(Duration.ofSeconds(10));
            for (int i = 0; i < 2; i++) {
                Response r = host.call(Request.newBuilder().setFileWrite(io.qtx.proto.FileWriteRequest.newBuilder()
                        .setPath(target.toString()).setUploadId(id).setOffset(i * 32_768L)
                        .setData(com.google.protobuf.ByteString.copyFrom(new byte[32_768]))));
                assertEquals((i + 1) * 32_768L, r.getFileWrite().getFileSize(), r.toString());
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(old, Files.readAllBytes(target));
        }
        // The host is gone without a commit: the upload goes when idle, the target never changed.
        Await.until("the abandoned upload's temporary file removed", () -> temporaries().isEmpty());
        org.junit.jupiter.api.Assertions.assertArrayEquals(old, Files.readAllBytes(target));
    }

    private List<Path> temporaries() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".qtx-upload-")).toList();
        }
    }

    @Test
    void aTenSecondExecDelaysNoneOfAHundredPings() throws Exception {
        SimulatedChannel ch = channel();
        agent(ch, Map.of());
        TestHost host = keep(TestHost.connect(ch.hostSocket()));
        host.awaitReady(Duration.ofSeconds(10));
        CompletableFuture<Envelope> exec = host.request(Request.newBuilder().setExec(ExecRequest.newBuilder()
                .setShell("sleep 10; echo done").setTimeoutMs(30_000)));
        for (int i = 0; i < 100; i++) {
            host.ping();
        }
        assertFalse(exec.isDone(), "all 100 pings answered while the exec still runs");
        Response r = exec.get(30, TimeUnit.SECONDS).getResponse();
        assertEquals("done\n", r.getExec().getStdout().toStringUtf8());
        assertTrue(r.getExec().getDurationMs() >= 10_000);
    }

    @Test
    void anotherHostIsServedAfterTheFirstLeaves() throws Exception {
        SimulatedChannel ch = channel();
        agent(ch, Map.of());
        TestHost first = TestHost.connect(ch.hostSocket());
        first.awaitReady(Duration.ofSeconds(10));
        first.ping();
        first.close();
        ch.awaitStats(s -> !s.hostConnected(), Duration.ofSeconds(5));
        TestHost second = keep(TestHost.connect(ch.hostSocket()));
        second.awaitReady(Duration.ofSeconds(15));
        Response info = second.call(Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()));
        assertTrue(info.hasSystemInfo());
        // Each handshake after the first counts; on a loaded machine the second host may repeat
        // its Hello before the answer arrives, and that is one more handshake, not a lost host.
        long reconnects = second.ping().getCounters().getReconnects();
        assertTrue(reconnects >= 1, "the second host counted as a reconnect: " + reconnects);
    }

    @Test
    void powerIsAnsweredBeforeItActs() throws Exception {
        SimulatedChannel ch = channel();
        agent(ch, Map.of());
        TestHost host = keep(TestHost.connect(ch.hostSocket()));
        host.awaitReady(Duration.ofSeconds(10));
        Response done = host.call(Request.newBuilder().setPower(PowerRequest.newBuilder()
                .setAction(PowerAction.POWER_ACTION_SHUTDOWN).setDelayMs(300)));
        assertTrue(done.hasDone());
        assertTrue(powered.isEmpty(), "the reply came first");
        Await.until("the shutdown done after its delay", () -> !powered.isEmpty());
        assertEquals(List.of(PowerAction.POWER_ACTION_SHUTDOWN), powered);
    }

    @Test
    void aHostThatStopsReadingCostsAWriteTimeoutThenResyncs() throws Exception {
        SimulatedChannel ch = channel();
        agent(ch, Map.of("write.timeout", "1s"));
        TestHost host = keep(TestHost.connect(ch.hostSocket()));
        host.awaitReady(Duration.ofSeconds(10));
        Await.until("the agent running", () -> states.get(states.size() - 1) == ConnectionState.RUNNING);
        int running = states.size();
        CompletableFuture<Void> release = new CompletableFuture<>();
        // Big answers queued, then the host stops reading.
        for (int i = 0; i < 6; i++) {
            host.request(Request.newBuilder().setExec(ExecRequest.newBuilder()
                    .setShell("head -c 900000 /dev/zero").setMaxStdoutBytes(900_000)));
        }
        host.stall(release);
        // The write timeout makes the agent drop its queue and greet again: running -> handshake.
        Await.until("the agent's write timeout", () -> states.subList(running, states.size())
                .contains(ConnectionState.HANDSHAKE));
        host.ready.clear();
        release.complete(null);
        host.awaitReady(Duration.ofSeconds(15));
        Pong pong = host.ping();
        assertTrue(pong.getCounters().getWriteTimeouts() >= 1, pong.toString());
        assertTrue(host.call(Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()))
                .hasSystemInfo());
    }
}
