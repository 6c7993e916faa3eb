package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.node.QxNode;
import io.qtx.node.load.FakeAgentFarm;
import io.qtx.testkit.Await;

/**
 * The answers that grow with the VMs (/metrics, /status.json, /api/v1/vms) cost qx-node a
 * buffer, not their size. 1,500 fake VMs, qx-node in a 64 MiB heap with the launchers'
 * {@code -XX:+ExitOnOutOfMemoryError}, four requests of each at once: every answer arrives
 * whole and the daemon lives. Built whole in memory, four scrapes of 1,500 VMs (some 11 MB of
 * text each, held as builder, string and bytes) do not fit beside the 20 MB the VMs keep; at
 * 5,000 VMs one scrape took the 256 MiB heap down (build-scripts/measure-node).
 */
class ApiAtScaleTest {

    private static final int VMS = 1500;
    private static final int AT_ONCE = 4;
    private static final Pattern API = Pattern.compile(".*API at (http://\\S+)/api/v1 .*");

    @TempDir
    Path dir;

    @Test
    void answersThatGrowWithTheVmsAreStreamedAndTheDaemonLives() throws Exception {
        Path sockets = Files.createDirectory(dir.resolve("vms"));
        Path nodeLog = dir.resolve("node.log");
        Process farm = java(List.of("-XX:+UseSerialGC"), FakeAgentFarm.class.getName(), "--serve", sockets.toString(),
                "--count", Integer.toString(VMS), "--telemetry-ms", "1000")
                .redirectOutput(dir.resolve("farm.log").toFile()).start();
        Process node = null;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            Await.until(VMS + " fake VM sockets", Duration.ofSeconds(60), () -> countSockets(sockets) >= VMS);
            node = java(List.of("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-Xmx64m"), QxNode.class.getName(),
                    "--config", "/dev/null", "--socket_dir", sockets.toString(), "--api.listen", "127.0.0.1:0",
                    "--api.token_file", dir.resolve("token").toString())
                    .redirectOutput(nodeLog.toFile()).start();
            String url = Await.value("qx-node's API address", Duration.ofSeconds(60), () -> apiUrl(nodeLog),
                    u -> u != null);
            String token = Files.readString(dir.resolve("token")).strip();
            Await.until("every VM ready", Duration.ofSeconds(90),
                    () -> count(get(http, url + "/api/v1/vms", token).body(), "\"state\":\"ready\"") == VMS);

            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < AT_ONCE; i++) {
                for (String path : List.of("/metrics", "/status.json", "/api/v1/vms")) {
                    answers.add(http.sendAsync(request(url + path, token), HttpResponse.BodyHandlers.ofString()));
                }
            }
            for (int i = 0; i < answers.size(); i++) {
                HttpResponse<String> r;
                try {
                    r = answers.get(i).get(120, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("answer " + i + " failed (" + e.getCause() + "); qx-node "
                            + (node.isAlive() ? "lives" : "died") + ", its log ends:\n" + tail(nodeLog), e);
                }
                String path = r.uri().getPath();
                assertEquals(200, r.statusCode(), path);
                assertFalse(r.headers().firstValue("Content-Length").isPresent(), path + " is streamed, not sized");
                switch (path) {
                    case "/metrics" -> assertEquals(VMS, count(r.body(), "\nqtx_node_vm_ready{vm=\""), "VMs in /metrics");
                    case "/status.json" -> {
                        assertEquals(VMS, count(r.body(), "{\"id\":\"load-"), "VMs in /status.json");
                        assertTrue(r.body().endsWith("]}"), "/status.json ends whole");
                    }
                    default -> assertTrue(r.body().endsWith("]}"), "/api/v1/vms ends whole");
                }
            }
            assertTrue(node.isAlive(), "qx-node died: " + tail(nodeLog));
            assertFalse(Files.readString(nodeLog).contains("OutOfMemoryError"), tail(nodeLog));
        } finally {
            stop(node);
            stop(farm);
        }
    }

    private static ProcessBuilder java(List<String> options, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    private static HttpRequest request(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        return http.send(request(url, token), HttpResponse.BodyHandlers.ofString());
    }

    private static long countSockets(Path sockets) throws IOException {
        try (Stream<Path> files = Files.list(sockets)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sock")).count();
        }
    }

    private static String apiUrl(Path log) throws IOException {
        for (String line : Files.readAllLines(log)) {
            Matcher m = API.matcher(line);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
