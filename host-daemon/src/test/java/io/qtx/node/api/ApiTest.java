package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.qtx.node.NodeConfig;
import io.qtx.node.TestRigs;
import io.qtx.node.VmState;
import io.qtx.testkit.Await;

/** Every endpoint and every error code of the HTTP API, over the simulator and fake agents. */
class ApiTest {

    private static TestRigs.Api rig;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        rig = TestRigs.api(c -> c);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        rig.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(rig.request(path).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = rig.request(path).method(method, HttpRequest.BodyPublishers.ofString(body));
        if (method.equals("POST")) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"error\":{\"code\":\"" + code + "\",\"status\":" + status + ",\"message\":"),
                r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void listsVmsWithTheirStateAndShowsOneInDetail() throws Exception {
        String list = get("/api/v1/vms").body();
        assertTrue(list.contains("{\"id\":\"vm-1\",\"state\":\"ready\""), list);
        assertTrue(list.contains("\"id\":\"vm-none\",\"state\":\"handshaking\""), list);
        String detail = get("/api/v1/vms/vm-1").body();
        assertTrue(detail.contains("\"agent_hello\":{"), detail);
        assertTrue(detail.contains("\"transitions\":[{\"state\":\"discovered\""), detail);
        assertTrue(detail.contains("\"frames_received\":"), detail);
    }

    @Test
    void pingReportsTheRoundTrip() throws Exception {
        HttpResponse<String> r = get("/api/v1/vms/vm-1/agent/ping");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().matches("\\{\"vm\":\"vm-1\",\"rtt_ms\":[0-9.E-]+,\"rtt_us\":\\d+}"), r.body());
    }

    @Test
    void agentInfoTelemetryAndHistory() throws Exception {
        assertTrue(get("/api/v1/vms/vm-1/agent/info").body().contains("\"os_id\":\"debian\""));
        rig.rig.awaitVm("vm-1", "telemetry", s -> s.telemetryReports() >= 2);
        String t = get("/api/v1/vms/vm-1/telemetry").body();
        assertTrue(t.contains("\"stale\":false") && t.contains("\"hostname\":\"guest-vm-1\""), t);
        String h = get("/api/v1/vms/vm-1/telemetry/history").body();
        assertTrue(h.startsWith("{\"vm\":\"vm-1\",\"history\":[{\"received_unix_ms\":"), h);
    }

    @Test
    void execRunsTheArgvAndReturnsItsResult() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/vms/vm-1/exec", "{\"argv\":{\"args\":[\"echo\",\"a b\"]}}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"stdout\":\"YSBiCg==\""), r.body()); // "a b\n"
        assertTrue(rig.rig.handlers.lastRequest.hasExec());
    }

    @Test
    void aFileOfManyChunksRoundTripsByteForByte() throws Exception {
        byte[] data = new byte[FileTransfer.CHUNK * 3 + 1234];
        new Random(7).nextBytes(data);
        HttpResponse<String> put = http.send(rig.request("/api/v1/vms/vm-1/files?path=/tmp/blob&mode=0600").PUT(HttpRequest.BodyPublishers.ofByteArray(data))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        assertTrue(put.body().contains("\"bytes_written\":" + data.length), put.body());
        var lastChunk = rig.rig.handlers.lastRequest.getFileWrite();
        assertEquals(0600, lastChunk.getMode());
        assertEquals(FileTransfer.UPLOAD_ID_BYTES, lastChunk.getUploadId().size(), "every chunk is of one upload");
        assertTrue(lastChunk.getCommit(), "the last chunk commits the upload");
        assertEquals(FileTransfer.CHUNK * 3L, lastChunk.getOffset());
        HttpResponse<byte[]> got = http.send(rig.request("/api/v1/vms/vm-1/files?path=/tmp/blob").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode());
        assertArrayEquals(data, got.body());
        assertEquals(Integer.toString(data.length), got.headers().firstValue("X-Qtx-File-Size").orElse(""));
        HttpResponse<String> shorter = http.send(rig.request("/api/v1/vms/vm-1/files?path=/tmp/blob").PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(shorter.body().contains("\"file_size\":1"), "a new upload replaces, not overlays: " + shorter.body());
    }

    @Test
    void aBodyCutOffPartWayAbortsTheUploadInsteadOfCommittingIt() throws Exception {
        URI base = URI.create(rig.api.baseUrl());
        byte[] part = new byte[FileTransfer.CHUNK * 2 + 100];
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            var out = s.getOutputStream();
            out.write(("PUT /api/v1/vms/vm-1/files?path=/tmp/cut HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAuthorization: Bearer " + TestRigs.TOKEN
                    + "\r\nContent-Length: " + (part.length * 4) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(part);
            out.flush();
            Await.until("the first chunk", () -> {
                var r = rig.rig.handlers.lastRequest;
                return r != null && r.hasFileWrite() && r.getFileWrite().getPath().equals("/tmp/cut");
            });
            // The client goes away with three quarters of its body unsent.
        }
        Await.until("the abort", () -> rig.rig.handlers.lastRequest.getFileWrite().getAbort());
        var abort = rig.rig.handlers.lastRequest.getFileWrite();
        assertEquals("/tmp/cut", abort.getPath());
        assertEquals(FileTransfer.UPLOAD_ID_BYTES, abort.getUploadId().size());
        assertTrue(!abort.getCommit());
    }

    @Test
    void aDeleteThatStopsPartWayReportsWhatItDidAndKept() throws Exception {
        rig.rig.handlers.stuckDeletes.put("/tree", io.qtx.proto.DeleteReport.newBuilder().setDeletedTotal(2)
                .addDeleted("/tree/a").addDeleted("/tree/b").setKeptTotal(2)
                .addKept("/tree/c: Permission denied").addKept("/tree").build());
        var r = send("POST", "/api/v1/vms/vm-1/files/delete", "{\"path\":\"/tree\",\"recursive\":true}");
        assertError(r, 502, "AGENT_ERROR");
        assertTrue(r.body().contains("\"delete_report\":{\"deleted_total\":\"2\",\"deleted\":[\"/tree/a\",\"/tree/b\"],"
                + "\"kept_total\":\"2\",\"kept\":[\"/tree/c: Permission denied\",\"/tree\"]}"), r.body());
    }

    @Test
    void fileOperations() throws Exception {
        assertEquals(200, send("POST", "/api/v1/vms/vm-1/files/mkdir", "{\"path\":\"/d\",\"parents\":true}").statusCode());
        assertTrue(get("/api/v1/vms/vm-1/files/stat?path=/d").body().contains("\"type\":\"FILE_TYPE_DIRECTORY\""));
        send("PUT", "/api/v1/vms/vm-1/files?path=/f", "hello");
        assertTrue(get("/api/v1/vms/vm-1/files/list?path=/").body().contains("\"name\":\"/f\""));
        assertEquals(200, send("POST", "/api/v1/vms/vm-1/files/delete", "{\"path\":\"/f\"}").statusCode());
        assertError(get("/api/v1/vms/vm-1/files/stat?path=/f"), 404, "NOT_FOUND");
        assertError(get("/api/v1/vms/vm-1/files?path=/nope"), 404, "NOT_FOUND");
        assertError(send("POST", "/api/v1/vms/vm-1/files/delete", "{}"), 400, "BAD_INPUT");
        assertError(get("/api/v1/vms/vm-1/files/stat"), 400, "BAD_INPUT");
    }

    @Test
    void powerFreezeTimePasswordAndProcesses() throws Exception {
        for (String action : new String[] {"shutdown", "reboot", "halt"}) {
            HttpResponse<String> r = send("POST", "/api/v1/vms/vm-1/power/" + action, "");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("POWER_ACTION_" + action.toUpperCase(), rig.rig.handlers.lastRequest.getPower().getAction().name());
        }
        assertTrue(send("POST", "/api/v1/vms/vm-1/fs/quiesce", "").body().contains("\"frozen\":[\"/\"]"));
        assertEquals(60_000, rig.rig.handlers.lastRequest.getFsQuiesce().getAutoThawAfterMs(), "a freeze always has a bound");
        assertTrue(send("POST", "/api/v1/vms/vm-1/fs/thaw", "").body().contains("\"thawed\":[\"/\"]"));
        assertEquals(200, send("POST", "/api/v1/vms/vm-1/time", "{\"unix_ms\":\"1700000000000\"}").statusCode());
        assertEquals(1700000000000L, rig.rig.handlers.lastRequest.getSetTime().getUnixMs());
        long atAgentMs = rig.rig.handlers.lastRequest.getSetTime().getAtAgentMs();
        assertTrue(atAgentMs > 0 && atAgentMs <= rig.rig.handlers.lastRequest.getDeadlineAgentMs(),
                "the time is pinned to the agent's clock, before the deadline: " + atAgentMs);
        send("POST", "/api/v1/vms/vm-1/time", "");
        assertTrue(rig.rig.handlers.lastRequest.hasSyncTime(), "no time given: sync from the hardware clock");
        assertEquals(200, send("POST", "/api/v1/vms/vm-1/password", "{\"user\":\"root\",\"password\":\"x\"}").statusCode());
        assertError(send("POST", "/api/v1/vms/vm-1/password", "{\"user\":\"root\"}"), 400, "BAD_INPUT");
        assertTrue(get("/api/v1/vms/vm-1/processes").body().contains("\"name\":\"init\""));
    }

    @Test
    void everyErrorHasItsStableCode() throws Exception {
        assertError(send("POST", "/api/v1/vms/vm-1/exec", "{not json"), 400, "BAD_INPUT");
        assertError(send("POST", "/api/v1/vms/vm-1/exec", "{\"no_such_field\":1}"), 400, "BAD_INPUT");
        assertError(get("/api/v1/vms/vm-1/agent/ping?timeout_ms=abc"), 400, "BAD_INPUT");
        assertError(get("/api/v1/vms/..%2Fetc/agent/ping"), 400, "BAD_INPUT");
        assertError(get("/api/v1/vms/nope/agent/ping"), 404, "UNKNOWN_VM");
        assertError(get("/api/v1/nothing"), 404, "NOT_FOUND");
        assertError(get("/api/v1/vms/vm-none/agent/ping"), 409, "AGENT_NOT_READY");
        assertError(get("/api/v1/vms/vm-mute/agent/info?timeout_ms=300"), 504, "AGENT_TIMEOUT");
        assertError(send("POST", "/api/v1/vms/vm-1/exec", "{\"argv\":{\"args\":[\"internal-error\"]}}"), 502,
                "AGENT_ERROR");
        assertError(send("POST", "/api/v1/vms/vm-1/exec", "{\"shell\":\"" + "x".repeat(1 << 20) + "\"}"), 413,
                "BODY_TOO_LARGE");
        rig.rig.awaitState("vm-mute", VmState.READY); // the timeout re-synced it; it comes back
    }

    @Test
    void aMethodOrActionNotInTheVmRouteTableIsNotFound() throws Exception {
        assertError(get("/api/v1/vms/vm-1/no-such-action"), 404, "NOT_FOUND");
        assertError(get("/api/v1/vms/vm-1/exec"), 404, "NOT_FOUND");
        assertError(send("DELETE", "/api/v1/vms/vm-1/files?path=/f", ""), 404, "NOT_FOUND");
        assertError(send("POST", "/api/v1/vms/vm-1/processes", "{}"), 404, "NOT_FOUND");
        assertError(send("PUT", "/api/v1/vms/vm-1/exec", "x"), 404, "NOT_FOUND");
    }

    @Test
    void eventsStreamStateChangesAsServerSentEvents() throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(rig.request("/api/v1/events?kind=state&vm=vm-new").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertEquals(": qx-node events", in.readLine());
            rig.rig.vm("vm-new");
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.startsWith("data: "));
            assertTrue(line != null && line.contains("\"kind\":\"state\",\"vm\":\"vm-new\",\"state\":\"discovered\""), line);
        }
    }

    @Test
    void eventStreamsAreCappedSoTheyCannotTakeEveryHandlerThread() throws Exception {
        java.util.List<java.io.InputStream> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < ApiServer.MAX_EVENT_STREAMS; i++) {
                HttpResponse<java.io.InputStream> r = http.send(rig.request("/api/v1/events?vm=none").build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, r.statusCode());
                open.add(r.body());
            }
            assertError(get("/api/v1/events"), 503, "AGENT_BUSY");
            assertEquals(200, get("/api/v1/vms").statusCode(), "ordinary requests still have threads");
        } finally {
            for (var in : open) {
                in.close();
            }
            Await.until("the server noticed every stream close", () -> rig.api.openStreams.get() == 0);
        }
    }

    @Test
    void metricsAndStatusPage() throws Exception {
        String m = get("/metrics").body();
        assertTrue(m.contains("qtx_node_vm_ready{vm=\"vm-1\"} 1"), m);
        assertTrue(m.contains("# TYPE qtx_node_vms gauge"), m);
        assertTrue(m.matches("(?s).*qtx_node_resident_bytes [1-9]\\d*\n.*"), m);
        String page = get("/").body();
        assertTrue(page.contains("new EventSource(\"api/v1/events\")"), page);
        String data = get("/status.json").body();
        assertTrue(data.contains("\"id\":\"vm-1\",\"state\":\"ready\""), data);
    }

    @Test
    void bindsToLoopbackByDefault() {
        assertEquals("127.0.0.1", NodeConfig.defaults().httpBind());
        assertTrue(rig.api.baseUrl().startsWith("http://127.0.0.1:"));
    }

}
