package io.qtx.node.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.qtx.node.TestRigs;

/** /metrics as Prometheus's own checker and an OpenMetrics scraper see it, with VMs in several states. */
class MetricsFormatTest {

    private static TestRigs.Api rig;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        rig = TestRigs.monitored();
        // One answered API ping, so the request histograms have a kind with an observation.
        HttpResponse<String> ping = HTTP.send(rig.request("/api/v1/vms/vm-1/agent/ping").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ping.statusCode(), ping.body());
    }

    @AfterAll
    static void stop() throws Exception {
        HTTP.close();
        rig.close();
    }

    static HttpResponse<String> metrics(String accept) throws Exception {
        var r = rig.request("/metrics");
        if (accept != null) {
            r.header("Accept", accept);
        }
        HttpResponse<String> m = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode(), m.body());
        return m;
    }

    @Test
    void promtoolFindsNothingToCorrect() throws Exception {
        String text = metrics(null).body();
        Tools.Run check = Tools.run(List.of(Tools.require("promtool").toString(), "check", "metrics"), text, 60);
        assertEquals(0, check.status(), check.output() + "\n---\n" + text);
        assertEquals("", check.output().strip(), "promtool's lint findings:\n" + check.output());
    }

    @Test
    void everyStateOfEveryVmIsOneSeriesAndExactlyTheCurrentOneIsOne() throws Exception {
        String text = metrics(null).body();
        for (String vm : List.of("vm-1", "vm-mute", "vm-none", "vm-quiet")) {
            Matcher m = Pattern.compile("qtx_node_vm_state\\{vm=\"" + vm + "\",state=\"([a-z_]+)\"} 1\n").matcher(text);
            assertTrue(m.find(), vm + " has no state at 1:\n" + text);
            assertFalse(m.find(), vm + " has two states at 1:\n" + text);
        }
        assertTrue(text.contains("qtx_node_vm_state{vm=\"vm-1\",state=\"ready\"} 1\n"), text);
        assertTrue(text.contains("qtx_node_vm_state{vm=\"vm-none\",state=\"handshaking\"} 1\n"), text);
        assertTrue(text.contains("qtx_node_vm_state{vm=\"vm-quiet\",state=\"ready\"} 0\n"), text);
    }

    @Test
    void histogramsCountWhatWasAsked() throws Exception {
        String text = metrics(null).body();
        Matcher ping = Pattern.compile("qtx_node_vm_request_duration_seconds_count\\{vm=\"vm-1\",kind=\"ping\","
                + "outcome=\"answered\"} ([0-9]+)\n").matcher(text);
        assertTrue(ping.find(), text);
        assertTrue(Long.parseLong(ping.group(1)) >= 1, text);
        assertTrue(text.contains("qtx_node_vm_ping_rtt_seconds_bucket{vm=\"vm-1\",le=\"+Inf\"}"), text);
        assertTrue(text.contains("qtx_node_vm_ping_rtt_seconds_bucket{vm=\"vm-1\",le=\"0.0005\"}"), text);
    }

    @Test
    void aGuestCannotMakeLabelValues() throws Exception {
        String text = metrics(null).body();
        long interfaceSeries = text.lines().filter(l -> l.startsWith("qtx_node_vm_interface_receive_bytes_total{vm=\"vm-1\""))
                .count();
        assertEquals(8, interfaceSeries, text);
        assertTrue(text.contains("qtx_node_vm_interface_receive_bytes_total{vm=\"vm-1\",interface=\"eth0\"} 123456\n"), text);
        assertTrue(text.contains("qtx_node_vm_filesystem_size_bytes{vm=\"vm-1\",mountpoint=\"/var/lib/data\"} 21474836480\n"),
                text);
        assertFalse(text.contains("evil"), text);
        assertFalse(text.contains("qtx_fake"), text);
        // 1 of 3 filesystems and 24 of 32 interfaces kept out of labels; the totals still count them all.
        assertTrue(text.contains("qtx_node_vm_label_values_dropped{vm=\"vm-1\"} 25\n"), text);
        assertTrue(text.contains("qtx_node_vm_network_receive_bytes_total{vm=\"vm-1\"} 124486\n"), text);
        long vmSeries = text.lines().filter(l -> !l.startsWith("#") && l.contains("{vm=\"vm-1\"")).count();
        assertTrue(vmSeries <= 200, vmSeries + " series for vm-1:\n" + text);
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> om = metrics("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"), om.headers()
                .toString());
        String body = om.body();
        assertTrue(body.endsWith("# EOF\n"), body);
        assertTrue(body.contains("# TYPE qtx_node_vm_frames_received counter\n"), body);
        assertTrue(body.contains("\nqtx_node_vm_frames_received_total{vm=\"vm-1\"} "), body);
        assertTrue(body.contains("# TYPE qtx_build info\n"), body);
        String text = metrics(null).body();
        assertTrue(text.contains("# TYPE qtx_node_vm_frames_received_total counter\n"), text);
        assertFalse(text.contains("# EOF"), text);
    }

    /** A renamed metric would silently empty a panel or mute an alert: every name they use is exported. */
    @Test
    void theAlertsAndTheDashboardUseOnlyNamesQxNodeExports() throws Exception {
        java.util.Set<String> exported = new java.util.HashSet<>();
        metrics(null).body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        for (String file : List.of("qtx-alerts.yml", "qtx-alerts.test.yml", "qtx-grafana-dashboard.json")) {
            String text = java.nio.file.Files.readString(AlertRulesTest.DIR.resolve(file));
            Matcher name = Pattern.compile("\\bqtx_[a-z0-9_]+").matcher(text);
            int seen = 0;
            while (name.find()) {
                seen++;
                assertTrue(exported.contains(name.group()), file + " uses " + name.group() + ", which /metrics lacks");
            }
            assertTrue(seen > 5, file);
        }
    }
}
