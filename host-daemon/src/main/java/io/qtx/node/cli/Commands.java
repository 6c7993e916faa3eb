package io.qtx.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;


/** The commands of qxctl, each one API call or a short series of them. */
final class Commands {

    private final ApiClient api;
    private final Qxctl.Options o;
    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    Commands(ApiClient api, Qxctl.Options o, InputStream stdin, PrintStream out, PrintStream err) {
        this.api = api;
        this.o = o;
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    Exit run() throws CliException {
        List<String> w = o.words();
        String command = w.get(0);
        return switch (command) {
            case "vms" -> vms(args(w, 0));
            case "status" -> new Status(api, o, out).run(args(w, 0));
            case "info" -> info(args(w, 1).get(0));
            case "ping" -> ping(args(w, 1).get(0));
            case "exec" -> exec(args(w, 1).get(0));
            case "cp" -> {
                List<String> a = args(w, 2);
                yield cp(a.get(0), a.get(1));
            }
            case "top" -> top(w.size() > 1 ? args(w, 1).get(0) : null);
            case "doctor" -> new Doctor(api, o.json(), out).run(args(w, 1).get(0));
            case "shutdown", "reboot" -> power(args(w, 1).get(0), command);
            default -> throw new CliException(Exit.USAGE, "unknown command '" + command + "' (see qxctl --help)");
        };
    }

    private static List<String> args(List<String> words, int n) throws CliException {
        if (words.size() - 1 != n) {
            throw new CliException(Exit.USAGE, words.get(0) + " takes " + n + " argument(s), got "
                    + (words.size() - 1) + " (see qxctl --help)");
        }
        return words.subList(1, words.size());
    }

    private String vm(String id) {
        return "/api/v1/vms/" + ApiClient.enc(id);
    }

    private String timeoutQuery() {
        return "timeout_ms=" + o.timeout().toMillis();
    }

    private Exit vms(List<String> unused) throws CliException {
        String json = api.get("/api/v1/vms");
        if (o.json()) {
            out.println(json);
            return Exit.OK;
        }
        Map<String, Object> s = Json.parse(json);
        out.printf("%-24s %-13s %9s  %-9s %s%n", "VM", "STATE", "RTT(ms)", "TELEMETRY", "WHY");
        for (Map<String, Object> vm : Json.objects(s, "vms")) {
            double rtt = Json.number(vm, "last_rtt_ms");
            out.printf("%-24s %-13s %9s  %-9s %s%n", Json.text(vm, "id"), Json.text(vm, "state"),
                    rtt < 0 ? "-" : String.format("%.3f", rtt),
                    Json.bool(vm, "telemetry_stale") ? "stale" : "fresh", Json.text(vm, "message"));
        }
        return Exit.OK;
    }

    private Exit info(String id) throws CliException {
        String detail = api.get(vm(id));
        Map<String, Object> d = Json.parse(detail);
        String system = null;
        if (Json.text(d, "state").equals("ready")) {
            system = api.get(vm(id) + "/agent/info?" + timeoutQuery());
        }
        if (o.json()) {
            out.println("{\"vm\":" + detail + ",\"system_info\":" + (system == null ? "null" : system) + "}");
            return Exit.OK;
        }
        out.println("vm:        " + Json.text(d, "id"));
        out.println("socket:    " + Json.text(d, "socket"));
        out.println("state:     " + Json.text(d, "state") + " (" + Json.text(d, "message") + ")");
        out.println("agent:     " + Json.text(d, "agent_hello.software_version") + " on "
                + Json.text(d, "agent_hello.hostname"));
        out.println("connects:  " + Json.text(d, "connects") + ", disconnects " + Json.text(d, "disconnects")
                + ", request timeouts " + Json.text(d, "request_timeouts"));
        if (system != null) {
            Map<String, Object> r = Json.parse(system);
            out.println("os:        " + Json.text(r, "result.os_name") + " (" + Json.text(r, "result.os_id") + " "
                    + Json.text(r, "result.os_version") + "), kernel " + Json.text(r, "result.kernel_release"));
            String model = Json.text(r, "result.cpu_model");
            out.println("machine:   " + Json.text(r, "result.cpu_count") + " CPU(s)"
                    + (model.isEmpty() ? "" : " (" + model + ")") + ", "
                    + (long) Json.number(r, "result.memory_total_bytes") / (1 << 20) + " MiB");
        }
        return Exit.OK;
    }

    private Exit ping(String id) throws CliException {
        int n = Math.max(1, o.count());
        for (int i = 0; i < n; i++) {
            String json = api.get(vm(id) + "/agent/ping?" + timeoutQuery());
            if (o.json()) {
                out.println(json);
            } else {
                out.printf("%s: rtt %.3f ms%n", id, Json.number(Json.parse(json), "rtt_ms"));
            }
        }
        return Exit.OK;
    }

    private Exit exec(String id) throws CliException {
        if (o.afterDashes().isEmpty()) {
            throw new CliException(Exit.USAGE, "exec wants the command after '--': qxctl exec VM -- CMD [ARGS]");
        }
        StringBuilder body = new StringBuilder("{\"argv\":{\"args\":[");
        for (int i = 0; i < o.afterDashes().size(); i++) {
            body.append(i == 0 ? "" : ",").append(Json.quote(o.afterDashes().get(i)));
        }
        body.append("]},\"timeout_ms\":").append(o.timeout().toMillis()).append('}');
        String json = api.post(vm(id) + "/exec?timeout_ms=" + (o.timeout().toMillis() + 2000), body.toString());
        Map<String, Object> r = Json.parse(json);
        if (o.json()) {
            out.println(json);
        } else {
            out.print(decode(Json.str(r, "result.stdout")));
            err.print(decode(Json.str(r, "result.stderr")));
        }
        if (Json.at(r, "result.signal") != null) {
            return exitWith(128 + (int) Json.number(r, "result.signal"));
        }
        return exitWith((int) Json.number(r, "result.exit_code"));
    }

    /** exec's own status is not one of qxctl's; it leaves through {@link RemoteExit}. */
    private Exit exitWith(int status) {
        if (status == 0) {
            return Exit.OK;
        }
        throw new RemoteExit(status);
    }

    private static String decode(String base64) {
        return base64.isEmpty() ? "" : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private Exit cp(String from, String to) throws CliException {
        boolean download = isRemote(from);
        if (download == isRemote(to)) {
            throw new CliException(Exit.USAGE, "cp wants exactly one side as VM:PATH");
        }
        String remote = download ? from : to;
        int colon = remote.indexOf(':');
        String id = remote.substring(0, colon);
        String path = remote.substring(colon + 1);
        String url = vm(id) + "/files?path=" + ApiClient.enc(path) + "&" + timeoutQuery();
        if (download) {
            long bytes;
            try (InputStream in = api.stream(url, false)) {
                if (to.equals("-")) {
                    bytes = in.transferTo(out);
                    out.flush();
                } else {
                    Path target = Path.of(to);
                    Path part = target.resolveSibling(target.getFileName() + ".part");
                    bytes = Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new CliException(Exit.LOCAL_IO, "copying " + from + " to " + to + ": " + e.getMessage());
            }
            if (o.json()) {
                out.println("{\"vm\":" + Json.quote(id) + ",\"path\":" + Json.quote(path) + ",\"bytes\":" + bytes + "}");
            } else if (!to.equals("-")) {
                err.println(from + " -> " + to + ": " + bytes + " bytes");
            }
            return Exit.OK;
        }
        if (!from.equals("-") && !Files.isReadable(Path.of(from))) {
            throw new CliException(Exit.LOCAL_IO, "cannot read " + from);
        }
        String json = api.put(url, () -> {
            try {
                return from.equals("-") ? stdin : Files.newInputStream(Path.of(from));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (o.json()) {
            out.println(json);
        } else {
            err.println(from + " -> " + to + ": " + Json.text(Json.parse(json), "bytes_written") + " bytes");
        }
        return Exit.OK;
    }

    private static boolean isRemote(String s) {
        int colon = s.indexOf(':');
        return colon > 0 && io.qtx.node.VmId.isValid(s.substring(0, colon));
    }

    private Exit top(String id) throws CliException {
        String url = "/api/v1/events?kind=telemetry" + (id == null ? "" : "&vm=" + ApiClient.enc(id));
        int wanted = o.count();
        int seen = 0;
        if (!o.json()) {
            out.printf("%-12s %-20s %6s %14s %6s %6s%n", "TIME", "VM", "CPU%", "MEM USED/TOTAL", "LOAD1", "PROCS");
        }
        try (InputStream in = api.stream(url, false);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String json = line.substring(6);
                if (o.json()) {
                    out.println(json);
                } else {
                    Map<String, Object> e = Json.parse(json);
                    double total = Json.number(e, "report.memory.total_bytes");
                    double used = total - Json.number(e, "report.memory.available_bytes");
                    out.printf("%-12s %-20s %6.1f %6d/%-6d MiB %6.2f %6d%n",
                            java.time.LocalTime.now().withNano(0), Json.text(e, "vm"),
                            Json.number(e, "report.cpu_percent"), (long) used >> 20, (long) total >> 20,
                            Json.number(e, "report.load_1m"), (long) Json.number(e, "report.process_count"));
                }
                out.flush();
                if (++seen == wanted) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new CliException(Exit.UNREACHABLE, "the event stream broke: " + e.getMessage());
        }
        return Exit.OK;
    }

    private Exit power(String id, String action) throws CliException {
        String json = api.post(vm(id) + "/power/" + action + "?" + timeoutQuery(), "{\"delay_ms\":1000}");
        if (o.json()) {
            out.println(json);
        } else {
            out.println(id + ": " + action + " accepted by the agent");
        }
        return Exit.OK;
    }

    /** Carries exec's remote status out of the command to {@link Qxctl#run}. */
    static final class RemoteExit extends RuntimeException {
        final int status;

        RemoteExit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
