package io.qtx.agent.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.qtx.agent.footprint.ProcFigures;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.sim.ChannelSimulator;
import io.qtx.sim.SimulatedChannel;

/**
 * A measuring tool, not a test: starts the channel simulator and a host, launches the agent
 * command given as arguments (with {@code --port unix:...} appended), and prints the time from
 * launch to a completed handshake, then the agent's RSS and CPU time over 10 s of idling with
 * the host connected (telemetry every 5 s) and 10 s (or {@code -Dqtx.noHostSeconds}) with no
 * host at all.
 *
 * <pre>java -cp ... io.qtx.agent.sim.HandshakeProbe build-scripts/guest-agent</pre>
 */
public final class HandshakeProbe {

    private HandshakeProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("qtx-probe");
        try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
            SimulatedChannel ch = sim.addVm("vm-1");
            List<String> command = new ArrayList<>(List.of(args));
            command.add("--port=unix:" + ch.guestSocket());
            TestHost host = TestHost.connect(ch.hostSocket());
            long t0 = System.nanoTime();
            Process agent = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent.log").toFile()).start();
            try {
                host.awaitReady(Duration.ofSeconds(60));
                long handshakeMs = (System.nanoTime() - t0) / 1_000_000;
                host.call(io.qtx.proto.Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()));
                System.out.println("launch to handshake: " + handshakeMs + " ms");
                long pid = ProcFigures.javaPid(agent);
                report("with host", pid, 10);
                host.close();
                ch.awaitStats(s -> !s.hostConnected(), Duration.ofSeconds(5));
                report("no host", pid, Integer.getInteger("qtx.noHostSeconds", 10));
            } finally {
                agent.destroy();
                agent.waitFor();
            }
        }
    }

    private static void report(String what, long pid, int seconds) throws Exception {
        long cpu0 = ProcFigures.of(pid).cpuTicks();
        Thread.sleep(seconds * 1000L);
        ProcFigures now = ProcFigures.of(pid);
        long cpuMs = (now.cpuTicks() - cpu0) * 1000 / ProcFigures.TICKS_PER_SECOND;
        System.out.printf("%s: RSS %d KiB, CPU %d ms in %d s (%.2f%%)%n", what, now.vmRssKib(), cpuMs, seconds,
                cpuMs / (seconds * 10.0));
    }
}
