package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.proto.Argv;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.Request;
import io.qtx.proto.StatRequest;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.sim.SimulatedChannel;
import io.qtx.testkit.Await;

/** qx-node against the channel simulator and fake agents: states, requests, failures. */
class NodeTest {

    private Rig rig;

    @BeforeEach
    void setUp() throws Exception {
        rig = new Rig();
    }

    @AfterEach
    void tearDown() throws Exception {
        rig.close();
    }

    private static NodeException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return NodeException.of(e);
    }

    @Test
    void aVmGoesFromDiscoveredThroughHandshakeToReadyAndAnswersPingAndRequests() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.agent(ch);
        rig.startNode();
        VmSnapshot ready = rig.awaitState("vm-1", VmState.READY);
        List<VmState> path = new java.util.ArrayList<>();
        for (Transition t : ready.transitions()) {
            if (path.isEmpty() || path.get(path.size() - 1) != t.state()) {
                path.add(t.state()); // a state's message may be refined (the served check) without a new state
            }
        }
        assertEquals(List.of(VmState.DISCOVERED, VmState.CONNECTING, VmState.HANDSHAKING, VmState.READY), path);
        assertEquals("guest-vm-1", ready.peer().getHostname());

        long rtt = rig.node.ping("vm-1", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertTrue(rtt > 0);
        var info = rig.node.request("vm-1", Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()))
                .get(10, TimeUnit.SECONDS);
        assertEquals("debian", info.getSystemInfo().getOsId());
        var exec = rig.node.request("vm-1", Request.newBuilder().setExec(ExecRequest.newBuilder()
                .setArgv(Argv.newBuilder().addArgs("echo").addArgs("hi")))).get(10, TimeUnit.SECONDS);
        assertEquals("hi\n", exec.getExec().getStdout().toStringUtf8());
        // The fake agent shares this JVM's monotonic clock: the deadline is the request timeout ahead, less a round trip.
        long left = rig.handlers.lastRequest.getDeadlineAgentMs() - io.qtx.session.PeerClock.nowMs();
        assertTrue(left > 0 && left <= 10_000, "every request carries a deadline: " + left);
    }

    @Test
    void anAgentErrorBecomesAStableCode() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.agent(ch);
        rig.startNode();
        rig.awaitState("vm-1", VmState.READY);
        NodeException e = failure(rig.node.request("vm-1", Request.newBuilder().setStat(StatRequest.newBuilder()
                .setPath("/missing"))));
        assertEquals(NodeException.Code.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("/missing"), e.getMessage());
        NodeException unknownKind = failure(rig.node.request("vm-1", Request.newBuilder()));
        assertEquals(NodeException.Code.AGENT_ERROR, unknownKind.code());
    }

    @Test
    void unknownAndMalformedVmIdsAreRefused() throws Exception {
        rig.startNode();
        assertEquals(NodeException.Code.UNKNOWN_VM, failure(rig.node.vm("nope")).code());
        assertEquals(NodeException.Code.BAD_INPUT, failure(rig.node.vm("../etc")).code());
        assertEquals(NodeException.Code.BAD_INPUT, failure(rig.node.ping("a/b", Duration.ofSeconds(1))).code());
    }

    @Test
    void withoutAGuestAgentTheVmStaysHandshakingRequestsGet409AndItBecomesReadyWhenTheAgentStarts() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.startNode();
        VmSnapshot waiting = rig.awaitVm("vm-1", "a diagnosis", s -> s.state() == VmState.HANDSHAKING
                && s.message().contains("agent"));
        assertFalse(waiting.message().contains("backlog"), waiting.message());
        NodeException e = failure(rig.node.request("vm-1", Request.newBuilder().setSystemInfo(
                SystemInfoRequest.getDefaultInstance())));
        assertEquals(NodeException.Code.AGENT_NOT_READY, e.code());
        assertTrue(e.getMessage().contains("handshaking"), e.getMessage());
        rig.agent(ch);
        rig.awaitState("vm-1", VmState.READY);
    }

    @Test
    void aSocketHeldByAnotherClientIsNotServedAndRecoversWhenItLeaves() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.agent(ch);
        try (var intruder = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(ch.hostSocket()))) {
            ch.awaitStats(s -> s.hostConnected(), Rig.WAIT);
            rig.startNode();
            VmSnapshot stuck = rig.awaitState("vm-1", VmState.NOT_SERVED);
            assertTrue(stuck.message().contains("backlog"), stuck.message());
            assertTrue(stuck.unreadByQemu() > 0);
            assertEquals(1, stuck.notServedEpisodes());
        }
        VmSnapshot ready = rig.awaitState("vm-1", VmState.READY);
        assertEquals(1, ready.connects(), "recovered on the same connection, never a second one");
    }

    @Test
    void aRequestThatTimesOutFailsWith504ButASessionThatAnswersPingsStaysUpAndUsable() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.agent(ch, false);
        rig.startNode();
        long handshakesBefore = rig.awaitState("vm-1", VmState.READY).session().handshakes();
        // This agent never answers requests, but its session answers pings.
        NodeException e = failure(rig.node.request("vm-1", Request.newBuilder().setSystemInfo(
                SystemInfoRequest.getDefaultInstance()), Duration.ofMillis(300)));
        assertEquals(NodeException.Code.AGENT_TIMEOUT, e.code());
        rig.awaitVm("vm-1", "the timeout's probe answered", s -> s.requestTimeouts() == 1 && s.pendingRequests() == 0);
        VmSnapshot after = rig.node.vm("vm-1").get(10, TimeUnit.SECONDS);
        assertEquals(VmState.READY, after.state());
        assertEquals(handshakesBefore, after.session().handshakes(), "no re-sync after a mere timeout");
        assertEquals(0, after.resyncsUnresponsive());
        assertTrue(rig.node.ping("vm-1", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS) > 0);
    }

    @Test
    void aDisconnectFailsEveryPendingRequestAtOnceAndReconnects() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.agent(ch, false);
        rig.startNode();
        rig.awaitState("vm-1", VmState.READY);
        List<CompletableFuture<io.qtx.proto.Response>> pending = List.of(
                rig.node.request("vm-1", Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()),
                        Duration.ofSeconds(60)),
                rig.node.request("vm-1", Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()),
                        Duration.ofSeconds(60)));
        rig.awaitVm("vm-1", "two pending", s -> s.pendingRequests() == 2);
        ch.dropHost();
        for (var f : pending) {
            assertEquals(NodeException.Code.AGENT_DISCONNECTED, failure(f).code());
        }
        VmSnapshot back = rig.awaitVm("vm-1", "ready again", s -> s.state() == VmState.READY && s.connects() == 2);
        List<VmState> states = back.transitions().stream().map(Transition::state).toList();
        assertTrue(states.containsAll(List.of(VmState.DISCONNECTED, VmState.RECONNECTING)), states.toString());
        assertEquals(1, back.disconnects());
    }

    @Test
    void aSilentAgentMakesTheVmUnresponsiveAndARestartedAgentMakesItReady() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        FakeAgent agent = rig.agent(ch);
        rig.startNode();
        rig.awaitState("vm-1", VmState.READY);
        agent.detach().get(10, TimeUnit.SECONDS);
        VmSnapshot silent = rig.awaitState("vm-1", VmState.UNRESPONSIVE);
        assertTrue(silent.message().contains("no telemetry"), silent.message());
        rig.awaitVm("vm-1", "telemetry stale", VmSnapshot::telemetryStale);
        rig.agent(ch);
        rig.awaitVm("vm-1", "ready with fresh telemetry", s -> s.state() == VmState.READY && !s.telemetryStale());
    }

    @Test
    void aDeadAgentFailsTheNextRequestWithUnresponsiveLongBeforeItsTimeout() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        FakeAgent agent = rig.agent(ch);
        rig.startNode();
        rig.awaitState("vm-1", VmState.READY);
        agent.detach().get(10, TimeUnit.SECONDS);
        // QEMU says nothing when the guest's agent dies; a minute-long request learns it from the probe.
        long t0 = System.nanoTime();
        NodeException e = failure(rig.node.request("vm-1", Request.newBuilder().setSystemInfo(
                SystemInfoRequest.getDefaultInstance()), Duration.ofSeconds(60)));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(NodeException.Code.AGENT_UNRESPONSIVE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("no pong"), e.getMessage());
        System.out.println("dead fake agent reported after " + tookMs + " ms");
        VmSnapshot dead = rig.snapshot("vm-1");
        assertEquals(VmState.UNRESPONSIVE, dead.state());
        // What follows fails at once, with the same clear code.
        assertEquals(NodeException.Code.AGENT_UNRESPONSIVE, failure(rig.node.request("vm-1", Request.newBuilder()
                .setSystemInfo(SystemInfoRequest.getDefaultInstance()), Duration.ofSeconds(60))).code());
        rig.agent(ch);
        rig.awaitState("vm-1", VmState.READY);
    }

    @Test
    void requestsPendingWhenTheAgentRestartsFailAtOnceWithAgentRestarted() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        FakeAgent first = rig.agent(ch, false);
        rig.startNode();
        VmSnapshot ready = rig.awaitState("vm-1", VmState.READY);
        CompletableFuture<io.qtx.proto.Response> pending = rig.node.request("vm-1", Request.newBuilder()
                .setSystemInfo(SystemInfoRequest.getDefaultInstance()), Duration.ofSeconds(60));
        rig.awaitVm("vm-1", "one pending", s -> s.pendingRequests() == 1);
        first.detach().get(10, TimeUnit.SECONDS);
        // The port socket listens again only once the simulator has seen the old agent go;
        // connecting before that is refused, as a port still held would be.
        ch.awaitStats(s -> !s.guestAttached(), Duration.ofSeconds(30));
        FakeAgent second = new FakeAgent(rig.agentLoop, ch.guestSocket(), "guest-vm-1", rig.handlers,
                Duration.ofMillis(200));
        second.instanceId = "restarted";
        try {
            second.attach().get(10, TimeUnit.SECONDS);
            NodeException e = failure(pending);
            assertEquals(NodeException.Code.AGENT_RESTARTED, e.code(), e.getMessage());
            VmSnapshot back = rig.awaitVm("vm-1", "ready with the new instance", s -> s.state() == VmState.READY
                    && s.peer().getInstanceId().toStringUtf8().equals("restarted"));
            assertTrue(back.session().handshakes() > ready.session().handshakes(),
                    "a new instance gets a whole new handshake (fresh nonce, fresh clock samples)");
            assertEquals("debian", rig.node.request("vm-1", Request.newBuilder().setSystemInfo(
                    SystemInfoRequest.getDefaultInstance())).get(10, TimeUnit.SECONDS).getSystemInfo().getOsId());
        } finally {
            second.close();
        }
    }

    @Test
    void anAgentThatAnswersHellosButNoPingsIsNeverReady() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        HelloOnlyAgent agent = new HelloOnlyAgent(rig.agentLoop);
        agent.attach(ch.guestSocket()).get(10, TimeUnit.SECONDS);
        try {
            rig.startNode();
            VmSnapshot s = rig.awaitVm("vm-1", "two rounds of handshake, probe, unresponsive",
                    v -> v.resyncsUnresponsive() >= 2);
            assertTrue(s.session().handshakes() >= 3, "it did get through handshakes");
            assertFalse(s.transitions().stream().anyMatch(t -> t.state() == VmState.READY), s.transitions().toString());
            assertEquals(NodeException.Code.AGENT_UNRESPONSIVE, failure(rig.node.request("vm-1", Request.newBuilder()
                    .setSystemInfo(SystemInfoRequest.getDefaultInstance()))).code());
        } finally {
            agent.close();
        }
    }

    @Test
    void telemetryIsKeptLatestAndBoundedAndPublished() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        List<NodeEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        rig.agent(ch);
        rig.startNode();
        try (AutoCloseable sub = rig.node.events().subscribe(seen::add)) {
            VmSnapshot s = rig.awaitVm("vm-1", "three reports", v -> v.telemetryReports() >= 3);
            assertNotNull(s.telemetry());
            assertEquals("guest-vm-1", s.telemetry().getHostname());
            assertFalse(s.telemetryStale());
            Await.until("telemetry events", () -> seen.stream().anyMatch(e -> e.kind() == NodeEvent.Kind.TELEMETRY));
        }
        List<TelemetryEntry> history = rig.node.telemetryHistory("vm-1").get(10, TimeUnit.SECONDS);
        assertTrue(history.size() >= 3);
        assertTrue(history.get(0).receivedUnixMs() <= history.get(history.size() - 1).receivedUnixMs());
    }

    @Test
    void aVmWhoseSocketGoesAwayIsRemovedAndForgotten() throws Exception {
        SimulatedChannel ch = rig.vm("vm-1");
        rig.agent(ch);
        rig.startNode();
        rig.awaitState("vm-1", VmState.READY);
        List<NodeEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable sub = rig.node.events().subscribe(seen::add)) {
            java.nio.file.Files.delete(ch.hostSocket());
            Await.until("removed event", () -> seen.stream().anyMatch(e -> e.state() == VmState.REMOVED));
        }
        assertEquals(NodeException.Code.UNKNOWN_VM, failure(rig.node.vm("vm-1")).code());
    }

    @Test
    void socketsWithInvalidNamesAreIgnoredAndNewOnesAreFoundByInotify() throws Exception {
        rig.startNode();
        java.nio.file.Files.createFile(rig.dir.resolve("-bad.agent.sock"));
        java.nio.file.Files.createFile(rig.dir.resolve("not-a-socket.txt"));
        rig.vm("vm-late");
        rig.awaitVm("vm-late", "discovered", s -> true);
        List<VmSnapshot> all = rig.node.vms().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("vm-late"), all.stream().map(VmSnapshot::id).toList());
    }
}
