package io.qtx.node.monitoring;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.qtx.testkit.Await;

/**
 * A real Prometheus (Debian's), on loopback with a generated config and a temporary data
 * directory, scraping one qx-node every second with its bearer token in a file, as the README
 * tells an operator to. Gone with its directory on close.
 */
final class PrometheusServer implements AutoCloseable {

    private final Path dir;
    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    PrometheusServer(String target, String token) throws IOException {
        Path binary = Tools.require("prometheus");
        dir = Files.createTempDirectory("qtx-prometheus");
        Path tokenFile = dir.resolve("qx-node.token");
        Files.writeString(tokenFile, token + "\n");
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: qx-node
                    authorization:
                      credentials_file: %s
                    static_configs:
                      - targets: ['%s']
                """.formatted(tokenFile, target));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        process = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        process.getOutputStream().close();
    }

    /** An instant query's single value, or empty while the series is absent (or Prometheus not up yet). */
    OptionalDouble query(String promql) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return OptionalDouble.empty();
            }
            // {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[t,"v"]}]}}
            Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"]").matcher(r.body());
            if (!m.find()) {
                return OptionalDouble.empty();
            }
            double v = Double.parseDouble(m.group(1));
            if (m.find()) {
                throw new AssertionError(promql + " gave more than one series: " + r.body());
            }
            return OptionalDouble.of(v);
        } catch (IOException e) {
            return OptionalDouble.empty(); // not listening yet
        }
    }

    /** The result of an instant query as Prometheus's JSON; fails on an invalid expression. */
    String raw(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(promql + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** Waits for {@code promql} to have a value, at most {@code wait}. */
    double await(String promql, Duration wait) throws InterruptedException, IOException {
        return Await.value("a value for " + promql, wait, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited " + process.exitValue() + ": " + log());
            }
            return query(promql);
        }, OptionalDouble::isPresent).getAsDouble();
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    @Override
    public void close() throws Exception {
        http.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
