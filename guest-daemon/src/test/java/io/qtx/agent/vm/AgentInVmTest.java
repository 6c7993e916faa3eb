package io.qtx.agent.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.qtx.agent.sim.TestHost;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.FileReadRequest;
import io.qtx.proto.FileWriteRequest;
import io.qtx.proto.PowerAction;
import io.qtx.proto.PowerRequest;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.proto.TelemetryReport;
import io.qtx.qemu.QemuVm;
import io.qtx.qemu.VmOptions;

/**
 * The agent in a real QEMU VM (TCG), its port found by sysfs name, driven by a small host on
 * the session layer through QEMU's socket, as qx-node would.
 */
class AgentInVmTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    /** {CPU ticks, RSS KiB} of the agent, as the guest script prints them on "qtx-touch NAME". */
    private static long[] agentStat(QemuVm vm, String mark) throws Exception {
        vm.sendConsoleLine("qtx-touch " + mark);
        Matcher m = vm.awaitConsoleLine("qtx-stat " + mark + " (\\d+) (\\d+) VmRSS:\\s+(\\d+) kB", WAIT);
        return new long[] {Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    private static String exec(TestHost host, String shell) throws Exception {
        Response r = host.call(Request.newBuilder().setExec(ExecRequest.newBuilder().setShell(shell)));
        assertEquals(0, r.getExec().getExitCode(), r.toString());
        return r.getExec().getStdout().toStringUtf8();
    }

    @Test
    void findsThePortWaitsOutEbusySleepsWithoutAHostServesHostsOneAfterAnotherAndPowersOff() throws Exception {
        VmOptions options = VmOptions.of("agent-vm", AgentVmImage.program(true, "--config", "/dev/null",
                "--telemetry.interval=2s", "--workers=2")).withMemoryMb(768).withTimeLimit(Duration.ofSeconds(400));
        try (QemuVm vm = QemuVm.boot(options)) {
            // Someone else has the port: EBUSY, said clearly, and retried until it is free.
            vm.awaitConsoleLine("qtx-holder has ", WAIT);
            vm.awaitConsoleLine(vm.guestPort() + " is held open by another process \\(EBUSY\\)", WAIT);
            vm.sendConsoleLine("qtx-touch release");
            vm.awaitConsoleLine("AgentConnection: opened " + vm.guestPort(), WAIT);
            vm.awaitConsoleLine("state: waiting for port -> waiting for host", WAIT);

            // No host: the agent sleeps on the port's next edge. Measured after its start-up settles.
            Thread.sleep(3000);
            long[] before = agentStat(vm, "a");
            Thread.sleep(10_000);
            long[] after = agentStat(vm, "b");
            long cpuMillis = (after[0] - before[0]) * 10;
            // A figure for the README, not an assert: CPU time under TCG follows the machine's load.
            // That nothing wakes the agent with no host is asserted by wake-up counts in
            // TelemetryPumpTest and session's FramedChannelTest.
            System.out.printf("agent in VM, no host: %d ms CPU in 10 s, RSS %d KiB%n", cpuMillis, after[1]);

            long t0 = System.nanoTime();
            try (TestHost host = TestHost.connect(vm.socketPath())) {
                host.awaitReady(WAIT);
                System.out.printf("agent in VM: host connect to handshake %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                var info = host.call(Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()))
                        .getSystemInfo();
                assertEquals(exec(host, "uname -r").strip(), info.getKernelRelease());

                // Telemetry against what the guest kernel says, read through the channel too.
                host.telemetry.clear();
                TelemetryReport t = host.telemetry.poll(30, TimeUnit.SECONDS);
                assertTrue(t != null, "telemetry within 30 s");
                long memTotalKb = Long.parseLong(exec(host, "head -1 /proc/meminfo").replaceAll("\\D", ""));
                assertEquals(memTotalKb * 1024, t.getMemory().getTotalBytes());
                assertEquals(exec(host, "cat /proc/sys/kernel/hostname").strip(), t.getHostname());
                // The count the exec takes includes its own sh, ls and grep; the report is a second
                // or so older, and the guest script's sleeps and kernel workers come and go.
                int procs = Integer.parseInt(exec(host, "ls /proc | grep -c '^[0-9]'").strip());
                assertEquals(procs - 3, t.getProcessCount(), 8);
                assertEquals(exec(host, "ls /sys/class/net").strip().replace('\n', ','),
                        String.join(",", t.getInterfacesList().stream().map(i -> i.getName()).toList()));

                Response written = host.call(Request.newBuilder().setFileWrite(FileWriteRequest.newBuilder()
                        .setPath("/tmp/from-host.txt").setData(ByteString.copyFromUtf8("hello guest\n")).setTruncate(true)));
                assertEquals(12, written.getFileWrite().getFileSize());
                assertEquals("hello guest\n", host.call(Request.newBuilder().setFileRead(FileReadRequest.newBuilder()
                        .setPath("/tmp/from-host.txt"))).getFileRead().getData().toStringUtf8());
                assertEquals("hello guest\n", exec(host, "cat /tmp/from-host.txt"));
            }
            vm.awaitConsoleLine("state: running -> waiting for host \\(host gone\\)", WAIT);

            try (TestHost second = TestHost.connect(vm.socketPath())) {
                second.awaitReady(WAIT);
                // At least the change of host. More is possible and not a fault: right after a host
                // leaves, QEMU can report the port writable for a moment before the hang-up, and a
                // slow TCG guest can see the host's Hello retry as one more new session.
                long reconnects = second.ping().getCounters().getReconnects();
                assertTrue(reconnects >= 1, "reconnects=" + reconnects);
                Response done = second.call(Request.newBuilder().setPower(PowerRequest.newBuilder()
                        .setAction(PowerAction.POWER_ACTION_SHUTDOWN).setDelayMs(500)));
                assertTrue(done.hasDone());
                // This guest's init is a script: the agent's plain poweroff is ignored, and -f follows.
                assertEquals(0, vm.awaitExit(Duration.ofSeconds(90)));
            }
        }
    }
}
