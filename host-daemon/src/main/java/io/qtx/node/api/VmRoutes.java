package io.qtx.node.api;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.Node;
import io.qtx.node.NodeConfig;
import io.qtx.node.NodeException;
import io.qtx.node.VmSnapshot;
import io.qtx.proto.DeleteRequest;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.FsQuiesceRequest;
import io.qtx.proto.FsThawRequest;
import io.qtx.proto.ListDirRequest;
import io.qtx.proto.ListProcessesRequest;
import io.qtx.proto.MakeDirRequest;
import io.qtx.proto.PowerAction;
import io.qtx.proto.PowerRequest;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.SetPasswordRequest;
import io.qtx.proto.SetTimeRequest;
import io.qtx.proto.StatRequest;
import io.qtx.proto.SyncTimeRequest;
import io.qtx.proto.SystemInfoRequest;

/**
 * Everything under {@code /api/v1/vms/{id}}: a table of (method, action) to one handler per
 * endpoint, each parsing its own body. Request bodies are the protocol's own request messages
 * in JSON (requests.proto field names), and answers its result messages, so the API needs no
 * second schema. A method or action not in the table is NOT_FOUND (404), as an unknown path.
 */
final class VmRoutes {

    /** Longest deadline a caller may ask for with {@code ?timeout_ms=}. */
    private static final long MAX_TIMEOUT_MS = 600_000;
    /** Quiesce without an explicit bound thaws by itself after this long. */
    private static final int DEFAULT_AUTO_THAW_MS = 60_000;

    /** One API call on one VM, as its handler sees it. */
    record Call(HttpExchange ex, String id, Map<String, String> query, Duration timeout) {
    }

    /** What answers one endpoint. */
    interface Handler {
        void handle(VmRoutes routes, Call call) throws IOException;
    }

    /** One row of the table: {@code action} is the path after the VM's id ("" for the VM itself). */
    record Route(String method, String action, Handler handler) {
    }

    /** Every endpoint under a VM, in the order the README lists them. */
    static final List<Route> TABLE = List.of(
            new Route("GET", "", VmRoutes::detail),
            new Route("GET", "agent/ping", VmRoutes::ping),
            new Route("GET", "agent/info", VmRoutes::info),
            new Route("GET", "telemetry", VmRoutes::telemetry),
            new Route("GET", "telemetry/history", VmRoutes::telemetryHistory),
            new Route("POST", "exec", VmRoutes::exec),
            new Route("GET", "files", VmRoutes::download),
            new Route("PUT", "files", VmRoutes::upload),
            new Route("GET", "files/stat", VmRoutes::stat),
            new Route("GET", "files/list", VmRoutes::listDir),
            new Route("POST", "files/mkdir", VmRoutes::makeDir),
            new Route("POST", "files/delete", VmRoutes::delete),
            new Route("POST", "power/shutdown", (r, c) -> r.power(c, PowerAction.POWER_ACTION_SHUTDOWN)),
            new Route("POST", "power/reboot", (r, c) -> r.power(c, PowerAction.POWER_ACTION_REBOOT)),
            new Route("POST", "power/halt", (r, c) -> r.power(c, PowerAction.POWER_ACTION_HALT)),
            new Route("POST", "fs/quiesce", VmRoutes::quiesce),
            new Route("POST", "fs/thaw", VmRoutes::thaw),
            new Route("POST", "time", VmRoutes::time),
            new Route("POST", "password", VmRoutes::password),
            new Route("GET", "processes", VmRoutes::processes));

    private static final Map<String, Handler> BY_KEY = index(TABLE);

    private final Node node;
    private final NodeConfig config;
    private final FileTransfer files;

    VmRoutes(ApiServer api, Node node, NodeConfig config) {
        this.node = node;
        this.config = config;
        this.files = new FileTransfer(node);
    }

    private static Map<String, Handler> index(List<Route> table) {
        Map<String, Handler> byKey = new HashMap<>();
        for (Route r : table) {
            if (byKey.put(r.method() + " " + r.action(), r.handler()) != null) {
                throw new IllegalStateException("two routes for " + r.method() + " " + r.action());
            }
        }
        return Map.copyOf(byKey);
    }

    /** The handler for {@code method} on {@code action}, or null when the table has none. */
    static Handler find(String method, String action) {
        return BY_KEY.get(method + " " + action);
    }

    void serve(HttpExchange ex, String method, String rest) throws IOException {
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        if (!io.qtx.node.VmId.isValid(id)) {
            // Checked before routing: the path arrives decoded, so "..%2F" must not reach a route.
            throw HttpIo.bad("not a valid VM id: letters, digits, '.', '_', '-', at most 64");
        }
        Map<String, String> q = HttpIo.query(ex);
        Duration timeout = Duration.ofMillis(HttpIo.number(q, "timeout_ms", config.requestTimeout().toMillis(), 1,
                MAX_TIMEOUT_MS));
        Handler handler = find(method, action);
        if (handler == null) {
            throw new NodeException(NodeException.Code.NOT_FOUND, "no such endpoint: " + method + " "
                    + ApiServer.PREFIX + "/vms/" + rest);
        }
        handler.handle(this, new Call(ex, id, q, timeout));
    }

    private void detail(Call c) throws IOException {
        HttpIo.json(c.ex(), 200, VmJson.detail(snapshot(c.id())));
    }

    private void ping(Call c) throws IOException {
        long rtt = ApiServer.await(node.ping(c.id(), c.timeout()), c.timeout());
        HttpIo.json(c.ex(), 200, new JsonOut().beginObject().field("vm", c.id()).field("rtt_ms", rtt / 1e6)
                .field("rtt_us", rtt / 1000).endObject().toString());
    }

    private void info(Call c) throws IOException {
        answer(c, Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()));
    }

    private void telemetry(Call c) throws IOException {
        HttpIo.json(c.ex(), 200, VmJson.telemetry(snapshot(c.id())));
    }

    private void telemetryHistory(Call c) throws IOException {
        HttpIo.json(c.ex(), 200,
                VmJson.history(c.id(), ApiServer.await(node.telemetryHistory(c.id()), Duration.ofSeconds(5))));
    }

    private void exec(Call c) throws IOException {
        answer(c, Request.newBuilder().setExec(HttpIo.parse(c.ex(), config.maxBodyBytes(), ExecRequest.newBuilder())));
    }

    private void download(Call c) throws IOException {
        files.download(c.ex(), c.id(), HttpIo.required(c.query(), "path"), c.timeout());
    }

    private void upload(Call c) throws IOException {
        Map<String, String> q = c.query();
        files.upload(c.ex(), c.id(), HttpIo.required(q, "path"), (int) HttpIo.number(q, "mode", 0, 0, 07777),
                "true".equals(q.get("create_parents")), c.timeout());
    }

    private void stat(Call c) throws IOException {
        answer(c, Request.newBuilder().setStat(StatRequest.newBuilder().setPath(HttpIo.required(c.query(), "path"))
                .setNoFollow("true".equals(c.query().get("no_follow")))));
    }

    private void listDir(Call c) throws IOException {
        Map<String, String> q = c.query();
        answer(c, Request.newBuilder().setListDir(ListDirRequest.newBuilder().setPath(HttpIo.required(q, "path"))
                .setOffset((int) HttpIo.number(q, "offset", 0, 0, Integer.MAX_VALUE))
                .setPageSize((int) HttpIo.number(q, "page_size", 0, 0, 10_000))));
    }

    private void makeDir(Call c) throws IOException {
        MakeDirRequest.Builder b = HttpIo.parse(c.ex(), config.maxBodyBytes(), MakeDirRequest.newBuilder());
        requirePath(b.getPath());
        answer(c, Request.newBuilder().setMakeDir(b));
    }

    private void delete(Call c) throws IOException {
        DeleteRequest.Builder b = HttpIo.parse(c.ex(), config.maxBodyBytes(), DeleteRequest.newBuilder());
        requirePath(b.getPath());
        answer(c, Request.newBuilder().setDelete(b));
    }

    private void power(Call c, PowerAction action) throws IOException {
        PowerRequest.Builder b = HttpIo.parse(c.ex(), config.maxBodyBytes(), PowerRequest.newBuilder()).setAction(action);
        answer(c, Request.newBuilder().setPower(b));
    }

    private void quiesce(Call c) throws IOException {
        FsQuiesceRequest.Builder b = HttpIo.parse(c.ex(), config.maxBodyBytes(), FsQuiesceRequest.newBuilder());
        if (b.getAutoThawAfterMs() == 0) {
            b.setAutoThawAfterMs(DEFAULT_AUTO_THAW_MS);
        }
        answer(c, Request.newBuilder().setFsQuiesce(b));
    }

    private void thaw(Call c) throws IOException {
        answer(c, Request.newBuilder().setFsThaw(FsThawRequest.getDefaultInstance()));
    }

    /** A body without unix_ms asks the agent to sync its clock itself. */
    private void time(Call c) throws IOException {
        SetTimeRequest.Builder b = HttpIo.parse(c.ex(), config.maxBodyBytes(), SetTimeRequest.newBuilder());
        answer(c, b.getUnixMs() == 0 ? Request.newBuilder().setSyncTime(SyncTimeRequest.getDefaultInstance())
                : Request.newBuilder().setSetTime(b));
    }

    private void password(Call c) throws IOException {
        SetPasswordRequest.Builder b = HttpIo.parse(c.ex(), config.maxBodyBytes(), SetPasswordRequest.newBuilder());
        if (b.getUser().isEmpty() || b.getPassword().isEmpty()) {
            throw HttpIo.bad("'user' and 'password' are required");
        }
        answer(c, Request.newBuilder().setSetPassword(b));
    }

    private void processes(Call c) throws IOException {
        answer(c, Request.newBuilder().setListProcesses(ListProcessesRequest.getDefaultInstance()));
    }

    private VmSnapshot snapshot(String id) {
        return ApiServer.await(node.vm(id), Duration.ofSeconds(5));
    }

    private void answer(Call c, Request.Builder request) throws IOException {
        Response r = ApiServer.await(node.request(c.id(), request, c.timeout()), c.timeout());
        HttpIo.json(c.ex(), 200, new JsonOut().beginObject().field("vm", c.id()).field("result", resultOf(r))
                .endObject().toString());
    }

    /** The one member of the Response's oneof that is set, which is what the caller asked for. */
    private static com.google.protobuf.Message resultOf(Response r) {
        var field = r.getOneofFieldDescriptor(Response.getDescriptor().getOneofs().get(0));
        return field == null ? r : (com.google.protobuf.Message) r.getField(field);
    }

    private static void requirePath(String path) {
        if (path.isEmpty()) {
            throw HttpIo.bad("'path' is required");
        }
    }
}
