package io.qtx.node.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

/**
 * Measures {@code GET /api/v1/vms/{vm}/agent/ping} as a client sees it (HTTP round trip through
 * qx-node to the agent and back) and as qx-node reports it (the agent round trip alone):
 * {@code ApiPingRtt URL VM COUNT WARMUP TOKEN_FILE}. Prints p50, p90, p99 and max of both.
 */
public final class ApiPingRtt {

    private ApiPingRtt() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0] + "/api/v1/vms/" + args[1] + "/agent/ping";
        int count = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        long[] http = new long[count];
        long[] agent = new long[count];
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer "
                    + java.nio.file.Files.readString(java.nio.file.Path.of(args[4])).strip()).build();
            for (int i = -warmup; i < count; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                long t = System.nanoTime() - t0;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException(r.body());
                }
                if (i >= 0) {
                    http[i] = t;
                    String body = r.body();
                    int at = body.indexOf("\"rtt_us\":") + 9;
                    agent[i] = Long.parseLong(body.substring(at, body.indexOf('}', at))) * 1000;
                }
            }
        }
        report("API ping over HTTP (client side)", http);
        report("agent round trip inside qx-node  ", agent);
    }

    private static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%s: n=%d p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms%n", what, s.length,
                at(s, 0.50), at(s, 0.90), at(s, 0.99), s[s.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
