package io.qtx.node.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.Node;
import io.qtx.node.VmSnapshot;
import io.qtx.node.VmState;

/** {@code GET /metrics} in the Prometheus text format. */
final class Metrics {

    private final ApiServer api;
    private final Node node;

    Metrics(ApiServer api, Node node) {
        this.api = api;
        this.node = node;
    }

    void serve(HttpExchange ex) throws IOException {
        List<VmSnapshot> vms = ApiServer.await(node.vms(), Duration.ofSeconds(5));
        StringBuilder m = new StringBuilder(4096);
        Map<VmState, Integer> byState = new EnumMap<>(VmState.class);
        for (VmSnapshot s : vms) {
            byState.merge(s.state(), 1, Integer::sum);
        }
        help(m, "qtx_node_vms", "gauge", "VMs by connection state");
        for (VmState state : VmState.values()) {
            m.append("qtx_node_vms{state=\"").append(state.json()).append("\"} ").append(byState.getOrDefault(state, 0))
                    .append('\n');
        }
        help(m, "qtx_node_vm_ready", "gauge", "1 when the VM's agent is ready");
        perVm(m, vms, "qtx_node_vm_ready", s -> s.state() == VmState.READY ? 1 : 0);
        help(m, "qtx_node_vm_telemetry_stale", "gauge", "1 when the VM's telemetry is overdue");
        perVm(m, vms, "qtx_node_vm_telemetry_stale", s -> s.telemetryStale() ? 1 : 0);
        help(m, "qtx_node_vm_disconnects_total", "counter", "connections lost");
        perVm(m, vms, "qtx_node_vm_disconnects_total", VmSnapshot::disconnects);
        help(m, "qtx_node_vm_request_timeouts_total", "counter", "requests that got no answer in time");
        perVm(m, vms, "qtx_node_vm_request_timeouts_total", VmSnapshot::requestTimeouts);
        help(m, "qtx_node_vm_frames_received", "counter", "frames received on the current connection");
        perVm(m, vms, "qtx_node_vm_frames_received", s -> s.session() == null ? 0 : s.session().framesReceived());
        help(m, "qtx_node_vm_frame_resyncs", "counter", "frames given up on the current connection");
        perVm(m, vms, "qtx_node_vm_frame_resyncs", s -> s.session() == null ? 0 : s.session().resyncs());
        help(m, "qtx_node_vm_bytes_skipped", "counter", "garbage bytes skipped on the current connection");
        perVm(m, vms, "qtx_node_vm_bytes_skipped", s -> s.session() == null ? 0 : s.session().bytesSkipped());
        help(m, "qtx_node_vm_misbehaving", "gauge", "1 while the VM is quarantined for misbehaving");
        perVm(m, vms, "qtx_node_vm_misbehaving", s -> s.state() == VmState.MISBEHAVING ? 1 : 0);
        help(m, "qtx_node_vm_quarantines_total", "counter", "times the VM was quarantined");
        perVm(m, vms, "qtx_node_vm_quarantines_total", s -> s.conduct().quarantines());
        help(m, "qtx_node_vm_throttles_total", "counter", "times reading paused because the guest went over a rate");
        perVm(m, vms, "qtx_node_vm_throttles_total", s -> s.conduct().throttles());
        help(m, "qtx_node_vm_garbage_bytes_total", "counter", "bytes skipped as garbage, all connections");
        perVm(m, vms, "qtx_node_vm_garbage_bytes_total", s -> s.conduct().garbageBytes());
        help(m, "qtx_node_vm_envelopes_refused_total", "counter", "payloads refused: malformed or over limits");
        perVm(m, vms, "qtx_node_vm_envelopes_refused_total", s -> s.conduct().envelopesRefused());
        help(m, "qtx_node_vm_reports_refused_total", "counter", "telemetry reports refused by validation");
        perVm(m, vms, "qtx_node_vm_reports_refused_total", s -> s.conduct().reportsRefused());
        help(m, "qtx_node_vm_telemetry_bytes", "gauge", "bytes of telemetry kept for the VM");
        perVm(m, vms, "qtx_node_vm_telemetry_bytes", VmSnapshot::telemetryBytes);
        help(m, "qtx_node_http_requests_total", "counter", "API requests");
        m.append("qtx_node_http_requests_total ").append(api.requests.get()).append('\n');
        help(m, "qtx_node_http_errors_total", "counter", "API requests answered with an error");
        m.append("qtx_node_http_errors_total ").append(api.errors.get()).append('\n');
        help(m, "qtx_node_http_refused_total", "counter",
                "requests and connections turned away before a handler, by reason");
        for (var r : api.refused.entrySet()) {
            m.append("qtx_node_http_refused_total{reason=\"").append(r.getKey()).append("\"} ").append(r.getValue().get())
                    .append('\n');
        }
        help(m, "qtx_node_http_connections_open", "gauge", "API connections open (this scrape's included)");
        m.append("qtx_node_http_connections_open ").append(api.openConnections()).append('\n');
        help(m, "qtx_node_http_event_streams_open", "gauge", "server-sent event streams open");
        m.append("qtx_node_http_event_streams_open ").append(api.openStreams.get()).append('\n');
        help(m, "qtx_node_loop_cpu_seconds_total", "counter", "CPU time of the event loop thread");
        m.append("qtx_node_loop_cpu_seconds_total ").append(node.loopCpuNanos() / 1e9).append('\n');
        help(m, "qtx_node_resident_bytes", "gauge", "resident set size of the process");
        m.append("qtx_node_resident_bytes ").append(residentBytes()).append('\n');
        help(m, "qtx_node_uptime_seconds", "gauge", "time since qx-node started");
        m.append("qtx_node_uptime_seconds ").append(node.uptimeMs() / 1000.0).append('\n');
        byte[] body = m.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void help(StringBuilder m, String name, String type, String help) {
        m.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ')
                .append(type).append('\n');
    }

    private static void perVm(StringBuilder m, List<VmSnapshot> vms, String name,
                              java.util.function.ToLongFunction<VmSnapshot> value) {
        for (VmSnapshot s : vms) {
            // VM ids are plain names (VmId), so they need no escaping inside the label.
            m.append(name).append("{vm=\"").append(s.id()).append("\"} ").append(value.applyAsLong(s)).append('\n');
        }
    }

    /** VmRSS from /proc/self/status, in bytes; -1 when unreadable. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }
}
