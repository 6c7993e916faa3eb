package io.qtx.node.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.qtx.node.Node;
import io.qtx.node.NodeConfig;
import io.qtx.node.Rig;
import io.qtx.node.VmSnapshot;
import io.qtx.node.VmState;
import io.qtx.node.api.ApiServer;
import io.qtx.qemu.QemuVm;
import io.qtx.qemu.VmOptions;

/**
 * qx-node and the real guest daemon on a real QEMU (TCG) through qemu-harness: ready, ping,
 * exec and a file round trip through the API, and recovery when the guest daemon restarts.
 */
class QemuGuestTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static VmSnapshot await(Node node, String what, Predicate<VmSnapshot> p) throws Exception {
        return Rig.awaitVm(node, "qemu-1", what, WAIT, p);
    }

    @Test
    void readyPingExecFileRoundTripAndRecoveryAfterTheGuestDaemonRestarts() throws Exception {
        assertTrue(Files.isRegularFile(AgentInQemu.JAR), "build guest-daemon first: " + AgentInQemu.JAR);
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "qxq");
        NodeConfig config = NodeConfig.defaults().withSocketDir(dir).withHttp("127.0.0.1", 0, io.qtx.node.TestRigs.TOKEN)
                .withTimings(Duration.ofSeconds(2), Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(5))
                // A TCG guest on a loaded host can leave its agent without CPU for seconds (see RequestsOnTimeInQemuTest).
                .withProbeTimeout(Duration.ofSeconds(20));
        try (Node node = Node.start(config); ApiServer api = ApiServer.start(node, config);
             HttpClient http = HttpClient.newHttpClient();
             QemuVm vm = QemuVm.boot(VmOptions.of("qemu-1", AgentInQemu.program(3)).withSocketDir(dir)
                     .withTimeLimit(Duration.ofSeconds(300)))) {
            VmSnapshot ready = await(node, "ready", s -> s.state() == VmState.READY);
            String base = api.baseUrl() + "/api/v1/vms/qemu-1";

            HttpResponse<String> ping = http.send(HttpRequest.newBuilder(URI.create(base + "/agent/ping")).header("Authorization", "Bearer " + io.qtx.node.TestRigs.TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ping.statusCode(), ping.body());

            HttpResponse<String> exec = http.send(HttpRequest.newBuilder(URI.create(base + "/exec")).header("Authorization", "Bearer " + io.qtx.node.TestRigs.TOKEN)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"argv\":{\"args\":[\"uname\",\"-r\"]}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, exec.statusCode(), exec.body());
            String stdout = new String(java.util.Base64.getDecoder().decode(
                    exec.body().replaceAll(".*\"stdout\":\"([^\"]*)\".*", "$1")));
            assertTrue(stdout.startsWith("6.1."), stdout);

            byte[] data = new byte[200_000];
            new Random(5).nextBytes(data);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/files?path=/tmp/blob")).header("Authorization", "Bearer " + io.qtx.node.TestRigs.TOKEN)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, put.statusCode(), put.body());
            HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(base + "/files?path=/tmp/blob")).header("Authorization", "Bearer " + io.qtx.node.TestRigs.TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, get.statusCode());
            assertArrayEquals(data, get.body());

            // The agent kills itself (its exec child signals its parent); the guest's loop starts it again.
            http.send(HttpRequest.newBuilder(URI.create(base + "/exec?timeout_ms=5000")).header("Authorization", "Bearer " + io.qtx.node.TestRigs.TOKEN)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"shell\":\"kill -TERM $PPID\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            vm.awaitConsoleLine("guest: agent run 2", WAIT);
            VmSnapshot back = await(node, "ready with the restarted agent", s -> s.state() == VmState.READY
                    && s.peer() != null && !s.peer().getInstanceId().equals(ready.peer().getInstanceId()));
            assertNotEquals(ready.peer().getInstanceId(), back.peer().getInstanceId());
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(base + "/agent/ping")).header("Authorization", "Bearer " + io.qtx.node.TestRigs.TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, again.statusCode(), again.body());
            System.out.println("qemu: ready after " + vm.sinceStart() + "; states " + back.transitions().stream()
                    .map(t -> t.state().json()).toList());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
