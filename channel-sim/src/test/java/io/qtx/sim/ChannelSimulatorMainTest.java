package io.qtx.sim;

import static io.qtx.sim.Peer.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.qtx.sim.ChannelSimulatorMain.Options;
import io.qtx.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo command: its arguments, its log, and a clean stop on SIGTERM. */
class ChannelSimulatorMainTest {

    @TempDir
    Path dir;

    @Test
    void parsesTheDirectoryAndEveryVm() {
        Options o = Options.parse("--vm", "a", "--dir", "/tmp/x", "--vm", "b");
        assertEquals(Path.of("/tmp/x"), o.dir());
        assertEquals(List.of("a", "b"), o.vmIds());
    }

    @Test
    void rejectsWhatItCannotRun() {
        for (String[] args : List.of(new String[] {}, new String[] {"--dir", "/tmp/x"}, new String[] {"--vm", "a"},
                new String[] {"--dir"}, new String[] {"--dir", "/tmp/x", "--vm", "a", "--vm", "a"},
                new String[] {"--dir", "/tmp/x", "--vm", "a", "--verbose"})) {
            assertThrows(IllegalArgumentException.class, () -> Options.parse(args), String.join(" ", args));
        }
    }

    @Test
    void logsEveryTransitionOnALineOfItsOwn() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
        Path sockets = dir.resolve("made-by-the-command");
        try (ChannelSimulator sim = ChannelSimulatorMain.open(new Options(sockets, List.of("vm-1", "vm-2")), log)) {
            SimulatedChannel ch = sim.channel("vm-2");
            try (Peer host = Peer.connect(ch.hostSocket()); Peer guest = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
            }
            ch.awaitStats(s -> !s.hostConnected() && !s.guestAttached(), TIMEOUT);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, count(lines, "vm=vm-1 opened "), lines.toString());
        assertEquals(1, count(lines, "vm=vm-1 host-socket=" + sockets.toAbsolutePath().resolve("vm-1.agent.sock")),
                lines.toString());
        assertEquals(1, count(lines, "vm=vm-2 host-accepted host=connected served=1"), lines.toString());
        assertEquals(1, count(lines, "vm=vm-2 guest-attached "), lines.toString());
        assertEquals(1, count(lines, "vm=vm-2 host-left "), lines.toString());
        assertEquals(1, count(lines, "vm=vm-2 guest-left "), lines.toString());
        assertEquals(2, count(lines, " closed "), lines.toString());
        assertEquals(10, lines.size(), lines.toString());
    }

    @Test
    void stopsOnSigtermAndDeletesItsSockets() throws Exception {
        Path log = dir.resolve("out.log");
        Path sockets = dir.resolve("sockets");
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(ChannelSimulatorMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process p = new ProcessBuilder(java, "-cp", classes, ChannelSimulatorMain.class.getName(),
                "--dir", sockets.toString(), "--vm", "vm-1")
                .redirectInput(new File("/dev/null"))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            Path hostSocket = sockets.resolve("vm-1.agent.sock");
            Await.until("the command to listen", TIMEOUT, () -> read(log).contains("guest-socket="));
            try (Peer host = Peer.connect(hostSocket)) {
                Await.until("the host client to be logged", TIMEOUT, () -> read(log).contains("host-accepted"));
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "still running after SIGTERM");
                host.awaitEof();
            }
            assertEquals(143, p.exitValue(), read(log)); // 128 + SIGTERM, after the shutdown hook ran
            String text = read(log);
            assertTrue(text.contains("vm=vm-1 closed"), text);
            assertTrue(text.strip().endsWith("stopped"), text);
            assertFalse(Files.exists(hostSocket));
            assertFalse(Files.exists(sockets.resolve("vm-1.port.sock")));
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void aBadCommandLineExitsWithUsage() throws Exception {
        Path log = dir.resolve("out.log");
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(ChannelSimulatorMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process p = new ProcessBuilder(java, "-cp", classes, ChannelSimulatorMain.class.getName(), "--vm", "vm-1")
                .redirectInput(new File("/dev/null"))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(read(log).contains(ChannelSimulatorMain.USAGE), read(log));
    }

    private static long count(List<String> lines, String part) {
        return lines.stream().filter(l -> l.contains(part)).count();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
