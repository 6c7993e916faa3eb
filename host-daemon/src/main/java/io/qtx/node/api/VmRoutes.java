package io.qtx.node.api;

import java.io.IOException;
import java.time.Duration;
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
 * Everything under {@code /api/v1/vms/{id}}. Request bodies are the protocol's own request
 * messages in JSON (agent.proto field names), and answers its result messages, so the API
 * needs no second schema.
 */
final class VmRoutes {

    /** Longest deadline a caller may ask for with {@code ?timeout_ms=}. */
    private static final long MAX_TIMEOUT_MS = 600_000;
    /** Quiesce without an explicit bound thaws by itself after this long. */
    private static final int DEFAULT_AUTO_THAW_MS = 60_000;

    private final Node node;
    private final NodeConfig config;
    private final FileTransfer files;

    VmRoutes(ApiServer api, Node node, NodeConfig config) {
        this.node = node;
        this.config = config;
        this.files = new FileTransfer(node);
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
        String route = method + " " + action;
        switch (route) {
            case "GET " -> HttpIo.json(ex, 200, VmJson.detail(snapshot(id)));
            case "GET agent/ping" -> {
                long rtt = ApiServer.await(node.ping(id, timeout), timeout);
                HttpIo.json(ex, 200, new JsonOut().beginObject().field("vm", id).field("rtt_ms", rtt / 1e6)
                        .field("rtt_us", rtt / 1000).endObject().toString());
            }
            case "GET agent/info" -> answer(ex, id, Request.newBuilder()
                    .setSystemInfo(SystemInfoRequest.getDefaultInstance()), timeout);
            case "GET telemetry" -> HttpIo.json(ex, 200, VmJson.telemetry(snapshot(id)));
            case "GET telemetry/history" -> HttpIo.json(ex, 200,
                    VmJson.history(id, ApiServer.await(node.telemetryHistory(id), Duration.ofSeconds(5))));
            case "POST exec" -> answer(ex, id, Request.newBuilder().setExec(
                    HttpIo.parse(ex, config.maxBodyBytes(), ExecRequest.newBuilder())), timeout);
            case "GET files" -> files.download(ex, id, HttpIo.required(q, "path"), timeout);
            case "PUT files" -> files.upload(ex, id, HttpIo.required(q, "path"),
                    (int) HttpIo.number(q, "mode", 0, 0, 07777), "true".equals(q.get("create_parents")), timeout);
            case "GET files/stat" -> answer(ex, id, Request.newBuilder().setStat(StatRequest.newBuilder()
                    .setPath(HttpIo.required(q, "path")).setNoFollow("true".equals(q.get("no_follow")))), timeout);
            case "GET files/list" -> answer(ex, id, Request.newBuilder().setListDir(ListDirRequest.newBuilder()
                    .setPath(HttpIo.required(q, "path")).setOffset((int) HttpIo.number(q, "offset", 0, 0, Integer.MAX_VALUE))
                    .setPageSize((int) HttpIo.number(q, "page_size", 0, 0, 10_000))), timeout);
            case "POST files/mkdir" -> {
                MakeDirRequest.Builder b = HttpIo.parse(ex, config.maxBodyBytes(), MakeDirRequest.newBuilder());
                requirePath(b.getPath());
                answer(ex, id, Request.newBuilder().setMakeDir(b), timeout);
            }
            case "POST files/delete" -> {
                DeleteRequest.Builder b = HttpIo.parse(ex, config.maxBodyBytes(), DeleteRequest.newBuilder());
                requirePath(b.getPath());
                answer(ex, id, Request.newBuilder().setDelete(b), timeout);
            }
            case "POST power/shutdown" -> power(ex, id, PowerAction.POWER_ACTION_SHUTDOWN, timeout);
            case "POST power/reboot" -> power(ex, id, PowerAction.POWER_ACTION_REBOOT, timeout);
            case "POST power/halt" -> power(ex, id, PowerAction.POWER_ACTION_HALT, timeout);
            case "POST fs/quiesce" -> {
                FsQuiesceRequest.Builder b = HttpIo.parse(ex, config.maxBodyBytes(), FsQuiesceRequest.newBuilder());
                if (b.getAutoThawAfterMs() == 0) {
                    b.setAutoThawAfterMs(DEFAULT_AUTO_THAW_MS);
                }
                answer(ex, id, Request.newBuilder().setFsQuiesce(b), timeout);
            }
            case "POST fs/thaw" -> answer(ex, id, Request.newBuilder().setFsThaw(FsThawRequest.getDefaultInstance()),
                    timeout);
            case "POST time" -> {
                SetTimeRequest.Builder b = HttpIo.parse(ex, config.maxBodyBytes(), SetTimeRequest.newBuilder());
                answer(ex, id, b.getUnixMs() == 0 ? Request.newBuilder().setSyncTime(SyncTimeRequest.getDefaultInstance())
                        : Request.newBuilder().setSetTime(b), timeout);
            }
            case "POST password" -> {
                SetPasswordRequest.Builder b = HttpIo.parse(ex, config.maxBodyBytes(), SetPasswordRequest.newBuilder());
                if (b.getUser().isEmpty() || b.getPassword().isEmpty()) {
                    throw HttpIo.bad("'user' and 'password' are required");
                }
                answer(ex, id, Request.newBuilder().setSetPassword(b), timeout);
            }
            case "GET processes" -> answer(ex, id, Request.newBuilder()
                    .setListProcesses(ListProcessesRequest.getDefaultInstance()), timeout);
            default -> throw new NodeException(NodeException.Code.NOT_FOUND, "no such endpoint: " + method + " "
                    + ApiServer.PREFIX + "/vms/" + rest);
        }
    }

    private VmSnapshot snapshot(String id) {
        return ApiServer.await(node.vm(id), Duration.ofSeconds(5));
    }

    private void power(HttpExchange ex, String id, PowerAction action, Duration timeout) throws IOException {
        PowerRequest.Builder b = HttpIo.parse(ex, config.maxBodyBytes(), PowerRequest.newBuilder()).setAction(action);
        answer(ex, id, Request.newBuilder().setPower(b), timeout);
    }

    private void answer(HttpExchange ex, String id, Request.Builder request, Duration timeout) throws IOException {
        Response r = ApiServer.await(node.request(id, request, timeout), timeout);
        HttpIo.json(ex, 200, new JsonOut().beginObject().field("vm", id).field("result", resultOf(r)).endObject()
                .toString());
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
