package io.qtx.node.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.qtx.node.Node;
import io.qtx.node.NodeConfig;
import io.qtx.node.NodeException;
import io.qtx.node.Rig;
import io.qtx.node.VmSnapshot;
import io.qtx.node.VmState;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.PowerAction;
import io.qtx.proto.PowerRequest;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.SetTimeRequest;
import io.qtx.proto.SyncTimeRequest;
import io.qtx.qemu.QemuVm;
import io.qtx.qemu.VmOptions;
import io.qtx.testkit.Await;

/**
 * The promise of issue 9 on a real QEMU (TCG) VM, one boot for every scenario: a request runs
 * once, while it is still wanted, and never after, whatever the guest's clock says. The guest
 * boots with its hardware clock an hour ahead (-rtc base=); its reboot only prints a marker.
 */
class RequestsOnTimeInQemuTest {

    private static final String VM = "qemu-clock";
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration SHORT = Duration.ofSeconds(2);
    /** For requests that must succeed: generous, the guest may be starved of CPU for seconds. */
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final String EXECUTED = "qtx-marker executed";
    /** What a request sent to a stopped agent may fail with: its own timeout, or the probe's verdict. */
    private static final Set<NodeException.Code> GAVE_UP = Set.of(NodeException.Code.AGENT_TIMEOUT,
            NodeException.Code.AGENT_UNRESPONSIVE);

    private Node node;
    private QemuVm vm;

    @Test
    void requestsRunOnTimeUnderSkewedAndSteppedClocksStoppedAndKilledAgentsAndTheAgentSleepsWithNoHost()
            throws Exception {
        assertTrue(Files.isRegularFile(AgentInQemu.JAR), "build guest-daemon first: " + AgentInQemu.JAR);
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "qxc");
        NodeConfig config = NodeConfig.defaults().withSocketDir(dir).withHttp("127.0.0.1", 0, null)
                .withTimings(Duration.ofSeconds(2), Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(5))
                // A TCG guest on a loaded 2-core host (load average 20 while other builds run) can leave
                // its agent without CPU for many seconds: its first exec took 7 s, with no pong for 5 s.
                // The default 2 s probe bound would call that unresponsive; the verdicts tested here do
                // not depend on the bound, only on a probe's answer or its absence. Silence is judged
                // after the default 15 s for the same reason (8 s once refused a reboot unsent).
                .withProbeTimeout(Duration.ofSeconds(20));
        LocalDateTime anHourAhead = LocalDateTime.now(ZoneOffset.UTC).plusHours(1);
        try (QemuVm booted = QemuVm.boot(VmOptions.of(VM, AgentInQemu.controlled()).withSocketDir(dir)
                .withRtcBase(anHourAhead).withTimeLimit(Duration.ofSeconds(900)))) {
            vm = booted;
            vm.awaitConsoleLine("state: waiting for port -> waiting for host", WAIT);
            node = Node.start(config);
            try {
                VmSnapshot first = awaitVm("ready", s -> s.state() == VmState.READY);

                // Booted an hour ahead: everything works, sync_time included (from a hardware clock
                // that is itself an hour ahead), and nothing stale ever runs.
                assertClockOff(3600, "booted with -rtc base an hour ahead");
                assertTrue(node.ping(VM, LONG).get(60, TimeUnit.SECONDS) > 0);
                assertEquals("hi\n", exec("echo hi", LONG));
                assertTrue(call(Request.newBuilder().setSyncTime(SyncTimeRequest.getDefaultInstance())).hasTime());
                rebootSentToAStoppedAgentNeverRuns("ahead", true);

                // Equal clocks, after a set_time from the host.
                setTimeToTheHostsAndCheckTheyAgree();
                rebootSentToAStoppedAgentNeverRuns("equal", false);
                // A request that times out on a healthy agent leaves the session as it was.
                long handshakes = snapshot().session().handshakes();
                assertEquals(NodeException.Code.AGENT_TIMEOUT, failure(node.request(VM, Request.newBuilder()
                        .setExec(ExecRequest.newBuilder().setShell("sleep 3")), Duration.ofSeconds(1))).code());
                assertEquals("still\n", exec("echo still", LONG));
                assertEquals(handshakes, snapshot().session().handshakes(), "no re-sync after a mere timeout");

                // The guest clock stepped back an hour while the session is up: requests still on time.
                command("behind-1");
                assertEquals("after the step\n", exec("echo after the step", LONG));
                assertClockOff(-3600, "stepped back with date -s");
                assertTrue(call(Request.newBuilder().setSetTime(SetTimeRequest.newBuilder()
                        .setUnixMs(System.currentTimeMillis() - 3_600_000))).hasTime(), "set_time an hour behind");
                rebootSentToAStoppedAgentNeverRuns("behind", false);
                // sync_time from the hardware clock: two hours forward in one step, and on we go.
                assertTrue(call(Request.newBuilder().setSyncTime(SyncTimeRequest.getDefaultInstance())).hasTime());
                assertEquals("after sync\n", exec("echo after sync", LONG));
                setTimeToTheHostsAndCheckTheyAgree();

                ByteString firstInstance = first.peer().getInstanceId();
                aKilledAgentIsReportedFastAndComesBack(firstInstance);
                aRequestPendingAcrossARestartFailsWithoutWaitingItsTimeout();
                rebootSentToAnAgentStoppedInItsHandshakeNeverRuns();

                assertFalse(vm.consoleLines().stream().anyMatch(l -> l.contains(EXECUTED)),
                        "a reboot sent to a stopped agent ran");
            } finally {
                node.close();
            }
            // No host: the agent sleeps on the port's next edge.
            vm.awaitConsoleLine("state: running -> waiting for host", WAIT);
            // A measurement over fixed windows, not a wait: 3 s to settle, then 60 s of CPU counted.
            Thread.sleep(3000);
            long[] before = agentTicks("stat-a");
            long t0 = System.nanoTime();
            Thread.sleep(60_000);
            long[] after = agentTicks("stat-b");
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpuMs = (after[0] + after[1] - before[0] - before[1]) * 10;
            System.out.printf("qemu: agent with no host for %.0f s: %d ms CPU (utime %d, stime %d ticks) = %.2f %%%n",
                    seconds, cpuMs, after[0] - before[0], after[1] - before[1], cpuMs / seconds / 10);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * SIGSTOP, a reboot with a 2 s timeout, SIGCONT only once the host has given up on it: the
     * agent must drop it as expired (the audit says so) and the marker must never appear. With
     * {@code untilTheHostReSyncs} the agent stays stopped until the probe has found it
     * unresponsive and the host has started a new handshake; the first request after that
     * host-initiated re-sync must work.
     */
    private void rebootSentToAStoppedAgentNeverRuns(String tag, boolean untilTheHostReSyncs) throws Exception {
        for (int attempt = 1; ; attempt++) {
            String run = attempt == 1 ? tag : tag + "-" + attempt;
            if (rebootSentToAStoppedAgent(run, untilTheHostReSyncs)) {
                break;
            }
            // A guest starved of CPU may take seconds to say it stopped the agent; by then the host
            // may have heard nothing for unresponsiveAfter and refuses the reboot unsent, which
            // proves nothing about the agent's side. The scenario is played again.
            assertTrue(attempt < 3, tag + ": the host refused the reboot unsent three times");
        }
        // Time passes on purpose: the marker's absence is what is tested, and a reboot that did run
        // would have printed it by now.
        Thread.sleep(1000);
        assertFalse(vm.consoleLines().stream().anyMatch(l -> l.contains(EXECUTED)), tag + ": the reboot ran");
    }

    /** One play of the scenario above; false when the host refused the reboot without sending it. */
    private boolean rebootSentToAStoppedAgent(String tag, boolean untilTheHostReSyncs) throws Exception {
        awaitVm("ready before " + tag, s -> s.state() == VmState.READY);
        command("stop-" + tag);
        long sent = System.nanoTime();
        NodeException e = failure(node.request(VM, reboot(), SHORT));
        boolean unsent = e.getMessage().contains("agent not ready");
        assertTrue(GAVE_UP.contains(e.code()) || unsent && e.code() == NodeException.Code.AGENT_NOT_READY,
                tag + ": " + e.code() + " " + e.getMessage());
        if (untilTheHostReSyncs && !unsent) {
            awaitVm("unresponsive while stopped (" + tag + ")", s -> s.state() == VmState.UNRESPONSIVE);
        }
        Await.until("the reboot's deadline passed while the agent is stopped",
                () -> System.nanoTime() - sent >= SHORT.plusSeconds(2).toNanos());
        int seen = expiredPowerLines().size();
        command("cont-" + tag);
        if (unsent) {
            System.out.printf("qemu: %s: the host refused the reboot unsent (%s); again%n", tag, e.getMessage());
        } else {
            Matcher expired = awaitExpiredPower(seen, e);
            System.out.printf("qemu: %s: reboot sent to a stopped agent: dropped as expired %s ms after its deadline%n",
                    tag, expired.group(1));
        }
        awaitVm("ready again after the re-sync (" + tag + ")", s -> s.state() == VmState.READY);
        assertEquals(tag + "\n", exec("echo " + tag, LONG));
        return !unsent;
    }

    /**
     * The agent is killed and, for now, not started again: the next request fails with
     * AGENT_UNRESPONSIVE within the probe bound, not after its 30 s timeout, and the next one at
     * once. Started again, the agent is ready with a new instance id.
     */
    private void aKilledAgentIsReportedFastAndComesBack(ByteString oldInstance) throws Exception {
        awaitVm("ready before the kill", s -> s.state() == VmState.READY);
        command("kill-1"); // SIGKILL has been delivered: the agent is gone
        long t0 = System.nanoTime();
        NodeException dead = failure(node.request(VM, execOf("echo dead?"), Duration.ofSeconds(90)));
        long detectedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(NodeException.Code.AGENT_UNRESPONSIVE, dead.code(), dead.getMessage());
        System.out.printf("qemu: dead agent (SIGKILL) reported %d ms after the first request: %s%n", detectedMs,
                dead.getMessage());
        long t1 = System.nanoTime();
        assertEquals(NodeException.Code.AGENT_UNRESPONSIVE, failure(node.request(VM, execOf("echo dead?"),
                Duration.ofSeconds(90))).code());
        System.out.printf("qemu: the next request failed after %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        vm.sendConsoleLine("qtx-touch restart");
        VmSnapshot back = awaitVm("ready with the restarted agent", s -> s.state() == VmState.READY
                && !s.peer().getInstanceId().equals(oldInstance));
        assertNotEquals(oldInstance, back.peer().getInstanceId());
        assertEquals("back\n", exec("echo back", LONG));
    }

    /** A request waiting when the agent dies and comes back fails long before its 120 s timeout. */
    private void aRequestPendingAcrossARestartFailsWithoutWaitingItsTimeout() throws Exception {
        ByteString before = snapshot().peer().getInstanceId();
        CompletableFuture<Response> pending = node.request(VM, execOf("sleep 110"), Duration.ofSeconds(120));
        awaitVm("the exec waits", s -> s.pendingRequests() >= 1);
        command("kill-2");
        long t0 = System.nanoTime();
        vm.sendConsoleLine("qtx-touch restart");
        NodeException e = failure(pending);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.code() == NodeException.Code.AGENT_UNRESPONSIVE || e.code() == NodeException.Code.AGENT_RESTARTED,
                e.code() + " " + e.getMessage());
        System.out.printf("qemu: a request pending across an agent restart failed %d ms after the kill: %s %s%n",
                tookMs, e.code(), e.getMessage());
        awaitVm("ready with the restarted agent", s -> s.state() == VmState.READY
                && !s.peer().getInstanceId().equals(before));
        assertEquals("again\n", exec("echo again", LONG));
    }

    /**
     * The agent restarts and is stopped the moment it has the port open, in the middle of its
     * handshake. A reboot is then either refused at once (the host is not ready) or sent and
     * given up on; continued later, the agent never runs it. One sent while the host still held
     * the old session reaches the new agent before its handshake is through: it is discarded
     * then, unaudited, rather than dropped as expired, so no audit line is awaited for it.
     */
    private void rebootSentToAnAgentStoppedInItsHandshakeNeverRuns() throws Exception {
        ByteString before = snapshot().peer().getInstanceId();
        command("kill-3");
        int seen = expiredPowerLines().size();
        vm.sendConsoleLine("qtx-touch cmd-stopopen-1");
        vm.sendConsoleLine("qtx-touch restart");
        vm.awaitConsoleLine("qtx-did stopopen-1", WAIT);
        long sent = System.nanoTime();
        NodeException e = failure(node.request(VM, reboot(), SHORT));
        System.out.printf("qemu: reboot to an agent stopped in its handshake: %s %s%n", e.code(), e.getMessage());
        Await.until("the reboot's deadline passed while the agent is stopped",
                () -> System.nanoTime() - sent >= SHORT.plusSeconds(2).toNanos());
        command("cont-handshake");
        awaitVm("ready with the agent that was stopped in its handshake", s -> s.state() == VmState.READY
                && !s.peer().getInstanceId().equals(before));
        boolean refusedAtOnce = e.getMessage().contains("agent not ready");
        if (refusedAtOnce) {
            // Never sent: the host was not ready (handshaking with the new instance, or unresponsive).
            assertTrue(e.code() == NodeException.Code.AGENT_NOT_READY || e.code() == NodeException.Code.AGENT_UNRESPONSIVE,
                    e.code() + " " + e.getMessage());
        } else {
            assertTrue(GAVE_UP.contains(e.code()), e.code() + " " + e.getMessage());
        }
        assertEquals("handshake\n", exec("echo handshake", LONG));
        Thread.sleep(1000); // as above: time for a reboot that did run to print its marker
        assertFalse(vm.consoleLines().stream().anyMatch(l -> l.contains(EXECUTED)), "the reboot ran");
        if (!refusedAtOnce) {
            System.out.printf("qemu: the reboot sent to an agent stopped in its handshake was %s%n",
                    expiredPowerLines().size() > seen ? "dropped as expired" : "discarded before the handshake");
        }
    }

    private void setTimeToTheHostsAndCheckTheyAgree() throws Exception {
        long sent = System.currentTimeMillis();
        Response r = call(Request.newBuilder().setSetTime(SetTimeRequest.newBuilder()
                .setUnixMs(System.currentTimeMillis())));
        long answered = System.currentTimeMillis();
        long guest = r.getTime().getUnixMs();
        assertTrue(guest >= sent - 1000 && guest <= answered + 1000,
                "after set_time the guest says " + guest + ", the host " + sent + ".." + answered);
        assertClockOff(0, "after set_time");
    }

    /**
     * The guest's clock minus the host's is {@code expected} seconds, give or take 5: a second of
     * resolution each side, and a TCG guest on a loaded host still lags by seconds after a
     * set_time (2-3 s seen) although set_time adds back the request's transit (at_agent_ms).
     * The exec may take seconds too, so the host's clock is read before and after it.
     */
    private void assertClockOff(long expected, String why) throws Exception {
        long before = System.currentTimeMillis() / 1000;
        long guest = Long.parseLong(exec("date +%s", LONG).strip());
        long after = System.currentTimeMillis() / 1000 + 1;
        System.out.printf("qemu: guest clock %+d..%+d s from the host's (%s)%n", guest - after, guest - before, why);
        assertTrue(guest - before >= expected - 5 && guest - after <= expected + 5,
                why + ": the guest said " + guest + " between the host's " + before + " and " + after + ", expected "
                        + expected + " s off");
    }

    private static final java.util.regex.Pattern EXPIRED_POWER =
            java.util.regex.Pattern.compile("request=power outcome=expired\\((\\d+)ms ago\\)");

    /**
     * The audit lines of power requests dropped as expired, from the whole console so far: the
     * agent's line and the guest script's "qtx-did" race for the console, so no order is assumed.
     */
    private List<Matcher> expiredPowerLines() {
        return vm.consoleLines().stream().map(EXPIRED_POWER::matcher).filter(Matcher::find).toList();
    }

    /** Waits for expired power request number {@code seen + 1}; {@code hostSaid} is how the host gave up on it. */
    private Matcher awaitExpiredPower(int seen, NodeException hostSaid) throws InterruptedException {
        return Await.value("power request " + (seen + 1) + " dropped by the agent as expired (the host gave up with "
                + hostSaid.code() + ": " + hostSaid.getMessage() + ")", WAIT, this::expiredPowerLines,
                lines -> lines.size() > seen).get(seen);
    }

    private long[] agentTicks(String tag) throws Exception {
        vm.sendConsoleLine("qtx-touch cmd-" + tag);
        Matcher m = vm.awaitConsoleLine("qtx-did " + tag + " (\\d+) (\\d+)", WAIT);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private void command(String verbAndTag) throws Exception {
        vm.sendConsoleLine("qtx-touch cmd-" + verbAndTag);
        vm.awaitConsoleLine("qtx-did " + verbAndTag, WAIT);
    }

    private static Request.Builder reboot() {
        return Request.newBuilder().setPower(PowerRequest.newBuilder().setAction(PowerAction.POWER_ACTION_REBOOT));
    }

    private static Request.Builder execOf(String shell) {
        return Request.newBuilder().setExec(ExecRequest.newBuilder().setShell(shell));
    }

    private String exec(String shell, Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        try {
            return exec0(shell, timeout);
        } finally {
            System.out.printf("qemu: exec %s took %d ms%n", shell, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private String exec0(String shell, Duration timeout) throws Exception {
        Response r = node.request(VM, execOf(shell), timeout).get(timeout.toSeconds() + 10, TimeUnit.SECONDS);
        assertEquals(0, r.getExec().getExitCode(), r.toString());
        return r.getExec().getStdout().toStringUtf8();
    }

    private Response call(Request.Builder request) throws Exception {
        return node.request(VM, request, LONG).get(60, TimeUnit.SECONDS);
    }

    private static NodeException failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(150, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return NodeException.of(e);
        }
        throw new AssertionError("expected a failure, got an answer");
    }

    private VmSnapshot snapshot() throws Exception {
        return node.vm(VM).get(10, TimeUnit.SECONDS);
    }

    private VmSnapshot awaitVm(String what, Predicate<VmSnapshot> p) throws Exception {
        return Rig.awaitVm(node, VM, what, WAIT, p);
    }
}
