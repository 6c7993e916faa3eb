package io.qtx.node.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.node.TestRigs;

/** Every qxctl command, text and --json, and its exit statuses, against a live qx-node. */
class QxctlTest {

    private static TestRigs.Api rig;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        rig = TestRigs.api(c -> c);
    }

    @AfterAll
    static void stop() throws Exception {
        rig.close();
    }

    /** One run: exit status, standard output, standard error. */
    record Run(int status, String out, String err, byte[] rawOut) {
    }

    private static Run qxctl(byte[] stdin, String... args) {
        return qxctlWith(Map.of("QXCTL_URL", rig.api.baseUrl(), "QXCTL_TOKEN", TestRigs.TOKEN), stdin, args);
    }

    private static Run qxctlWith(Map<String, String> env, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Qxctl.run(args, env, new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                out.toByteArray());
    }

    private static Run qxctl(String... args) {
        return qxctl(new byte[0], args);
    }

    @Test
    void findsTheTokenWhereQxNodeKeepsItAndSaysWhyWhenItCannot() throws Exception {
        Path token = tmp.resolve("qx-node.token");
        Files.writeString(token, TestRigs.TOKEN + "\n");
        Path conf = tmp.resolve("node.conf");
        Files.writeString(conf, "api.token_file = " + token + "\n");
        Map<String, String> env = Map.of("QXCTL_URL", rig.api.baseUrl(), "QXCTL_CONFIG", conf.toString());
        Run found = qxctlWith(env, new byte[0], "vms");
        assertEquals(0, found.status(), found.err());
        assertTrue(found.out().contains("vm-1"), found.out());

        Files.writeString(conf, "api.token_file = " + tmp.resolve("absent") + "\n");
        Run missing = qxctlWith(env, new byte[0], "vms");
        assertEquals(77, missing.status(), missing.err());
        assertTrue(missing.err().contains("no token sent: cannot read " + tmp.resolve("absent")), missing.err());
        assertTrue(missing.err().contains("run as root or as a member of the file's group"), missing.err());

        Run explicit = qxctlWith(env, new byte[0], "--token-file", token.toString(), "vms");
        assertEquals(0, explicit.status(), explicit.err());
        Files.writeString(conf, "api.listen = 0.0.0.0:" + rig.api.port() + "\napi.token_file = " + token + "\n");
        Run fromConfig = qxctlWith(Map.of("QXCTL_CONFIG", conf.toString()), new byte[0], "vms");
        assertEquals(0, fromConfig.status(), "URL and token both from qx-node's config: " + fromConfig.err());
    }

    @Test
    void helpListsEveryCommandAndEveryExitStatus() {
        Run r = qxctl("--help");
        assertEquals(0, r.status());
        for (String c : new String[] {"vms", "info VM", "ping VM", "exec VM --", "cp VM:PATH", "top", "doctor VM",
                "shutdown VM", "--json"}) {
            assertTrue(r.out().contains(c), c);
        }
        for (Exit e : Exit.values()) {
            assertTrue(r.out().contains(String.format("%3d  %s", e.status, e.meaning)), e.name());
        }
        assertEquals(2, qxctl().status(), "no command is a usage error");
        assertEquals(2, qxctl("frobnicate").status());
        assertEquals(2, qxctl("ping").status());
        assertEquals(2, qxctl("--bogus", "vms").status());
    }

    @Test
    void vmsInTextAndJson() {
        Run text = qxctl("vms");
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("vm-1 ") && l.contains(" ready ")), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("vm-none ") && l.contains(" handshaking ")), text.out());
        Run json = qxctl("--json", "vms");
        assertTrue(json.out().startsWith("{\"vms\":[{\"id\":\"vm-1\""), json.out());
    }

    @Test
    void statusShowsEveryVmWithRttAndTelemetryAndFailsUnlessAllAreReady() {
        Run r = qxctl("status");
        assertEquals(1, r.status(), "vm-none is not ready: " + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("vm-1 +ready +\\d+\\.\\d{3} .*fresh.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("vm-none ") && l.contains("agent")), r.out());
        Run json = qxctl("--json", "status");
        assertTrue(json.out().contains("\"all_ready\":false"), json.out());
    }

    @Test
    void infoAndPing() {
        Run info = qxctl("info", "vm-1");
        assertEquals(0, info.status(), info.err());
        assertTrue(info.out().contains("state:     ready") && info.out().contains("debian"), info.out());
        assertTrue(qxctl("--json", "info", "vm-1").out().startsWith("{\"vm\":{\"id\":\"vm-1\""));
        Run ping = qxctl("ping", "-n", "2", "vm-1");
        assertEquals(0, ping.status(), ping.err());
        assertEquals(2, ping.out().lines().filter(l -> l.matches("vm-1: rtt \\d+\\.\\d{3} ms")).count(), ping.out());
        assertTrue(qxctl("--json", "ping", "vm-1").out().startsWith("{\"vm\":\"vm-1\",\"rtt_ms\":"));
    }

    @Test
    void execPrintsTheOutputAndExitsWithTheRemoteStatus() {
        Run ok = qxctl("exec", "vm-1", "--", "echo", "hello", "world");
        assertEquals(0, ok.status(), ok.err());
        assertEquals("hello world\n", ok.out());
        assertEquals(1, qxctl("exec", "vm-1", "--", "false").status());
        assertTrue(qxctl("--json", "exec", "vm-1", "--", "echo", "x").out().contains("\"exit_code\":0"));
        assertEquals(2, qxctl("exec", "vm-1").status(), "no command after --");
    }

    @Test
    void cpBothWaysAndThroughStandardStreams() throws Exception {
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        Path local = tmp.resolve("in.bin");
        Files.write(local, data);
        Run up = qxctl("cp", local.toString(), "vm-1:/tmp/x.bin");
        assertEquals(0, up.status(), up.err());
        Path back = tmp.resolve("out.bin");
        Run down = qxctl("cp", "vm-1:/tmp/x.bin", back.toString());
        assertEquals(0, down.status(), down.err());
        assertArrayEquals(data, Files.readAllBytes(back));
        assertEquals(0, qxctl("hi there".getBytes(StandardCharsets.UTF_8), "cp", "-", "vm-1:/tmp/s").status());
        assertArrayEquals("hi there".getBytes(StandardCharsets.UTF_8), qxctl("cp", "vm-1:/tmp/s", "-").rawOut());
        assertEquals(2, qxctl("cp", "a", "b").status(), "one side must be remote");
        assertEquals(Exit.NOT_FOUND.status, qxctl("cp", "vm-1:/missing", back.toString()).status());
        assertEquals(Exit.LOCAL_IO.status, qxctl("cp", tmp.resolve("absent").toString(), "vm-1:/y").status());
    }

    @Test
    void topShowsLiveTelemetry() {
        Run r = qxctl("top", "vm-1", "-n", "2");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, r.out().lines().count(), r.out());
        assertTrue(r.out().lines().skip(1).allMatch(l -> l.contains(" vm-1 ")), r.out());
        assertTrue(qxctl("--json", "top", "-n", "1").out().startsWith("{\"kind\":\"telemetry\""));
    }

    @Test
    void doctorSaysHealthyOrWhatToDo() {
        Run ok = qxctl("doctor", "vm-1");
        assertEquals(0, ok.status(), ok.out());
        assertTrue(ok.out().contains("vm-1: healthy") && ok.out().contains("ping       ok   rtt"), ok.out());
        Run none = qxctl("doctor", "vm-none");
        assertEquals(1, none.status(), none.out());
        assertTrue(none.out().contains("handshake  FAIL") && none.out().contains("systemctl status quantix-kvm-agent"),
                none.out());
        Run missing = qxctl("doctor", "vm-gone");
        assertEquals(1, missing.status());
        assertTrue(missing.out().contains("socket     FAIL"), missing.out());
        assertTrue(qxctl("--json", "doctor", "vm-1").out().startsWith("{\"vm\":\"vm-1\",\"healthy\":true,\"steps\":["));
    }

    @Test
    void shutdownAndReboot() {
        assertEquals(0, qxctl("shutdown", "vm-1").status());
        assertEquals("POWER_ACTION_SHUTDOWN", rig.rig.handlers.lastRequest.getPower().getAction().name());
        assertEquals(0, qxctl("reboot", "vm-1").status());
        assertEquals("POWER_ACTION_REBOOT", rig.rig.handlers.lastRequest.getPower().getAction().name());
    }

    @Test
    void apiFailuresMapToDocumentedExitStatuses() {
        assertEquals(Exit.UNKNOWN_VM.status, qxctl("ping", "nope").status());
        assertEquals(Exit.NOT_READY.status, qxctl("ping", "vm-none").status());
        assertEquals(Exit.TIMEOUT.status, qxctl("--timeout", "300", "info", "vm-mute").status());
        assertEquals(Exit.AGENT_ERROR.status, qxctl("exec", "vm-1", "--", "internal-error").status());
        Run json = qxctl("--json", "ping", "nope");
        assertTrue(json.out().startsWith("{\"error\":{\"code\":\"UNKNOWN_VM\""), json.out());
        int unreachable = Qxctl.run(new String[] {"--url", "http://127.0.0.1:1", "vms"}, Map.of(),
                new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(Exit.UNREACHABLE.status, unreachable);
    }
}
