package io.qtx.node.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.VmSnapshot;

/** {@code GET /}: a small page for people, refreshing itself; machines use /api/v1. */
final class StatusPage {

    private StatusPage() {
    }

    static void serve(HttpExchange ex, List<VmSnapshot> vms, String base) throws IOException {
        StringBuilder h = new StringBuilder(1024);
        h.append("<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=5><title>qx-node</title>")
                .append("<style>body{font:14px sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}")
                .append(".ready{color:#070}.not_served,.unresponsive,.misbehaving{color:#b00}</style>")
                .append("<h1>qx-node</h1><p>").append(vms.size()).append(" VM(s) at ")
                .append(Instant.now()).append(". API: <code>").append(esc(base)).append("/api/v1/vms</code>, events: <code>")
                .append(esc(base)).append("/api/v1/events</code>, metrics: <code>").append(esc(base))
                .append("/metrics</code></p><table><tr><th>VM<th>state<th>since<th>agent<th>CPU %<th>telemetry<th>why");
        for (VmSnapshot s : vms) {
            h.append("<tr><td>").append(esc(s.id())).append("<td class=").append(s.state().json()).append('>')
                    .append(s.state().json()).append("<td>").append(Instant.ofEpochMilli(s.stateSinceUnixMs()))
                    .append("<td>").append(s.peer() == null ? "" : esc(s.peer().getSoftwareVersion()))
                    .append("<td>").append(s.telemetry() == null ? "" : String.format("%.1f", s.telemetry().getCpuPercent()))
                    .append("<td>").append(s.telemetry() == null ? "none" : s.telemetryStale() ? "stale" : "fresh")
                    .append("<td>").append(esc(s.message()));
        }
        h.append("</table>");
        byte[] body = h.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Guest text reaches this page (versions, messages quoting it): control characters escaped, then HTML. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return io.qtx.node.GuestText.safe(s, 512).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }
}
