package io.qtx.node.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.qtx.node.TestRigs;
import io.qtx.testkit.Await;

/**
 * A real Prometheus scrapes a running qx-node with its token, and what it stored, read back
 * through its query API, is what qx-node's own API says.
 */
class PrometheusScrapeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void prometheusStoresWhatTheApiReports() throws Exception {
        try (TestRigs.Api rig = TestRigs.monitored(); HttpClient http = HttpClient.newHttpClient()) {
            URI base = URI.create(rig.api.baseUrl());
            try (PrometheusServer prometheus = new PrometheusServer(base.getHost() + ":" + base.getPort(), TestRigs.TOKEN)) {
                assertEquals(1, prometheus.await("up{job=\"qx-node\"}", WAIT), "the scrape failed: " + prometheus.log());
                prometheus.await("qtx_node_vm_memory_total_bytes{vm=\"vm-1\"}", WAIT);

                String vms = get(http, rig, "/api/v1/vms");
                int count = 0;
                Matcher vm = Pattern.compile("\"id\":\"([^\"]+)\",\"state\":\"([a-z_]+)\"").matcher(vms);
                while (vm.find()) {
                    count++;
                    if (!vm.group(1).equals("vm-quiet")) { // vm-quiet may move between two states meanwhile
                        assertEquals(1, prometheus.await("qtx_node_vm_state{vm=\"" + vm.group(1) + "\",state=\""
                                + vm.group(2) + "\"}", WAIT), vm.group(1) + " in " + vms);
                    }
                }
                assertEquals(4, count, vms);
                assertEquals(count, prometheus.await("sum(qtx_node_vms)", WAIT));
                assertEquals(2, prometheus.await("sum(qtx_node_vm_ready)", WAIT), vms);
                assertEquals(0, prometheus.await("qtx_node_vm_ready{vm=\"vm-quiet\"}", WAIT));

                String telemetry = get(http, rig, "/api/v1/vms/vm-1/telemetry");
                assertEquals(number(telemetry, "total_bytes"),
                        prometheus.await("qtx_node_vm_memory_total_bytes{vm=\"vm-1\"}", WAIT), telemetry);
                assertEquals(number(telemetry, "available_bytes"),
                        prometheus.await("qtx_node_vm_memory_available_bytes{vm=\"vm-1\"}", WAIT), telemetry);
                assertEquals(10L << 30, prometheus.await("qtx_node_vm_filesystem_size_bytes{vm=\"vm-1\",mountpoint=\"/\"}",
                        WAIT));
                assertTrue(telemetry.contains("\"mountpoint\": \"/\"") || telemetry.contains("\"mountpoint\":\"/\""),
                        telemetry);

                String detail = get(http, rig, "/api/v1/vms/vm-1");
                assertEquals(number(detail, "connects"), prometheus.await("qtx_node_vm_connects_total{vm=\"vm-1\"}", WAIT),
                        detail);
                assertEquals(1, prometheus.await("count(qtx_build_info{version=\"0.1.0\"})", WAIT));
                assertTrue(prometheus.await("qtx_node_vm_ping_rtt_seconds_count{vm=\"vm-1\"}", WAIT) >= 1);
                assertTrue(prometheus.await("qtx_node_uptime_seconds", WAIT) > 0);
                everyDashboardQueryHasData(prometheus);
            }
        }
    }

    /**
     * Every panel of the Grafana dashboard, its variables set to "All", is valid PromQL that
     * finds series in what this Prometheus scraped (rates need two scrapes: retried a while).
     */
    private static void everyDashboardQueryHasData(PrometheusServer prometheus) throws Exception {
        var dashboard = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
                AlertRulesTest.DIR.resolve("qtx-grafana-dashboard.json"))).getAsJsonObject();
        int queries = 0;
        for (var panel : dashboard.getAsJsonArray("panels")) {
            var targets = panel.getAsJsonObject().getAsJsonArray("targets");
            for (int i = 0; targets != null && i < targets.size(); i++) {
                String expr = targets.get(i).getAsJsonObject().get("expr").getAsString()
                        .replace("$instance", ".*").replace("$vm", ".*");
                queries++;
                Await.value(panel.getAsJsonObject().get("title") + ": a result for " + expr, WAIT,
                        () -> prometheus.raw(expr), result -> !result.contains("\"result\":[]"));
            }
        }
        assertTrue(queries > 20, "queries: " + queries);
    }

    private static String get(HttpClient http, TestRigs.Api rig, String path) throws Exception {
        HttpResponse<String> r = http.send(rig.request(path).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** The first {@code "field": 123} or {@code "field": "123"} (protobuf's JSON quotes 64-bit numbers). */
    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"?([0-9.]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
