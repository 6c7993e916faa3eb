package io.qtx.node.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;


/**
 * {@code qxctl status}: every VM with its state, a fresh ping and its latest telemetry, in one
 * look; exit 1 unless there is at least one VM and every one is ready.
 */
final class Status {

    private final ApiClient api;
    private final Qxctl.Options o;
    private final PrintStream out;

    Status(ApiClient api, Qxctl.Options o, PrintStream out) {
        this.api = api;
        this.o = o;
        this.out = out;
    }

    Exit run(List<String> unused) throws CliException {
        List<Map<String, Object>> vms = Json.objects(Json.parse(api.get("/api/v1/vms")), "vms");
        boolean allReady = !vms.isEmpty();
        StringBuilder json = new StringBuilder("{\"vms\":[");
        if (!o.json()) {
            out.printf("%-20s %-13s %9s %6s %15s %9s  %s%n", "VM", "STATE", "RTT(ms)", "CPU%", "MEM USED/TOTAL",
                    "TELEMETRY", "WHY");
        }
        for (int i = 0; i < vms.size(); i++) {
            Map<String, Object> vm = vms.get(i);
            String id = Json.text(vm, "id");
            String state = Json.text(vm, "state");
            String base = "/api/v1/vms/" + ApiClient.enc(id);
            double rtt = -1;
            String problem = null;
            if (state.equals("ready")) {
                try {
                    rtt = Json.number(Json.parse(api.get(base + "/agent/ping?timeout_ms="
                            + o.timeout().toMillis())), "rtt_ms");
                } catch (CliException e) {
                    problem = e.getMessage();
                }
            } else {
                allReady = false;
            }
            allReady &= problem == null;
            Map<String, Object> t = Json.parse(api.get(base + "/telemetry"));
            boolean hasReport = Json.at(t, "report") instanceof Map<?, ?>;
            boolean stale = Json.bool(t, "stale");
            if (o.json()) {
                json.append(i == 0 ? "" : ",").append("{\"id\":").append(Json.quote(id)).append(",\"state\":")
                        .append(Json.quote(state)).append(",\"rtt_ms\":").append(rtt).append(",\"telemetry\":")
                        .append(hasReport ? Json.quote(stale ? "stale" : "fresh") : "null").append(",\"cpu_percent\":")
                        .append(Json.number(t, "report.cpu_percent")).append('}');
                continue;
            }
            double total = Json.number(t, "report.memory.total_bytes");
            double used = total - Json.number(t, "report.memory.available_bytes");
            out.printf("%-20s %-13s %9s %6s %15s %9s  %s%n", id, state, rtt < 0 ? "-" : String.format("%.3f", rtt),
                    hasReport ? String.format("%.1f", Json.number(t, "report.cpu_percent")) : "-",
                    hasReport ? String.format("%d/%d MiB", (long) used >> 20, (long) total >> 20) : "-",
                    hasReport ? (stale ? "stale" : "fresh") : "none",
                    problem != null ? problem : state.equals("ready") ? "" : Json.text(vm, "message"));
        }
        if (o.json()) {
            out.println(json.append("],\"all_ready\":").append(allReady).append('}'));
        }
        return allReady ? Exit.OK : Exit.PROBLEM;
    }
}
