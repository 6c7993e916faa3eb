package io.qtx.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * qxctl's HTTP/1.1 client against a server that answers exactly the bytes a test gives it: the
 * request it sends, each way a body can be delimited, and answers that stop short or are not HTTP.
 */
class PlainHttpTest {

    private ServerSocket server;
    /** What the server read: the request head, and the body when the test asks for it. */
    private CompletableFuture<String> request;

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws Exception {
        server.close();
        if (request != null) {
            request.get(30, TimeUnit.SECONDS); // the serving thread is done before the next test
        }
    }

    /** Serves one connection: reads the request (through the chunked body when there is one), writes {@code answer}, closes. */
    private void answer(String answer) {
        request = CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                String head = readUntil(in, "\r\n\r\n");
                String body = "";
                int length = head.indexOf("Content-Length: ");
                if (length >= 0) {
                    int n = Integer.parseInt(head.substring(length + 16, head.indexOf('\r', length)));
                    body = new String(in.readNBytes(n), StandardCharsets.UTF_8);
                } else if (head.contains("Transfer-Encoding: chunked\r\n")) {
                    body = readUntil(in, "\r\n0\r\n\r\n");
                }
                head = new String(head.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                s.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                return head + body;
            } catch (IOException e) {
                return "server: " + e;
            }
        });
    }

    /** Bytes up to and with {@code end} (or to the end of the stream), as ISO-8859-1 text. */
    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((b.length() < end.length() || !b.substring(b.length() - end.length()).equals(end)) && (c = in.read()) >= 0) {
            b.append((char) c);
        }
        return b.toString();
    }

    private ApiClient client() {
        return new ApiClient("http://127.0.0.1:" + server.getLocalPort() + "/", "tok-123", Duration.ofSeconds(10));
    }

    private static String json(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void sendsOneHttp11RequestWithHostTokenAndCloseAndReadsALengthBody() throws Exception {
        answer(json("{\"vms\":[{\"id\":\"é\"}]}"));
        assertEquals("{\"vms\":[{\"id\":\"é\"}]}", client().get("/api/v1/vms"));
        assertEquals("GET /api/v1/vms HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort()
                + "\r\nConnection: close\r\nAuthorization: Bearer tok-123\r\n\r\n", request.get(30, TimeUnit.SECONDS));
    }

    @Test
    void postsItsBodyWithItsLength() throws Exception {
        answer(json("{}"));
        client().post("/api/v1/vms/a/exec", "{\"argv\":\"ü\"}");
        String r = request.get(30, TimeUnit.SECONDS);
        assertTrue(r.startsWith("POST /api/v1/vms/a/exec HTTP/1.1\r\n"), r);
        assertTrue(r.contains("Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"argv\":\"ü\"}"), r);
    }

    @Test
    void readsChunkedAndCloseDelimitedBodies() throws Exception {
        answer("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: y\r\n\r\n");
        assertEquals("{\"a\":1}", client().get("/x"));
        request.get(30, TimeUnit.SECONDS);
        answer("HTTP/1.0 200 OK\r\n\r\n{\"until\":\"close\"}");
        assertEquals("{\"until\":\"close\"}", client().get("/x"));
    }

    @Test
    void streamsAnUploadOfUnknownLengthAsChunks() throws Exception {
        answer(json("{\"bytes_written\":70000}"));
        byte[] data = new byte[70_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        client().put("/files", () -> new ByteArrayInputStream(data));
        String r = request.get(30, TimeUnit.SECONDS);
        assertTrue(r.contains("Transfer-Encoding: chunked\r\n\r\n10000\r\n"), "a 64 KiB chunk first");
        String body = r.substring(r.indexOf("\r\n\r\n") + 4);
        assertEquals(new String(data, StandardCharsets.ISO_8859_1),
                new String(new ChunkedInput(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)))
                        .readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aBodyCutShortIsAnErrorNeverAShorterAnswer() throws Exception {
        for (String cut : new String[] {
                "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"vms\":[]}",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n{\"vms\":[]}\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"vms\":[]}",
                "HTTP/1.1 200 OK\r\nContent-Le",
                ""}) {
            answer(cut);
            CliException e = assertThrows(CliException.class, () -> client().get("/api/v1/vms"), cut);
            assertEquals(Exit.UNREACHABLE, e.exit, cut);
            request.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void whatIsNotHttpIsRefused() throws Exception {
        for (String bad : new String[] {
                "SSH-2.0-OpenSSH\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nX: " + "y".repeat(9000) + "\r\n\r\n",
                "HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(101) + "\r\n"}) {
            answer(bad);
            CliException e = assertThrows(CliException.class, () -> client().get("/x"));
            assertEquals(Exit.UNREACHABLE, e.exit, bad);
            request.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void apiErrorsKeepTheirExitStatuses() throws Exception {
        String[][] cases = {{"409", "NOT_READY", "72"}, {"504", "TIMEOUT", "73"}, {"401", "UNAUTHORIZED", "77"},
            {"404", "NOT_FOUND", "66"}, {"404", "UNKNOWN_VM", "71"}, {"500", "INTERNAL", "70"}};
        for (String[] c : cases) {
            String body = "{\"error\":{\"code\":\"" + c[1] + "\",\"message\":\"why \\u001b\"}}";
            answer("HTTP/1.1 " + c[0] + " X\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            CliException e = assertThrows(CliException.class, () -> client().get("/x"));
            assertEquals(Integer.parseInt(c[2]), e.exit.status, c[1]);
            assertEquals(c[1] + ": why \\x1b", e.getMessage());
            assertEquals(body, e.json);
            request.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerThatIsNotThereIsUnreachable() throws Exception {
        int port = server.getLocalPort();
        server.close();
        CliException e = assertThrows(CliException.class,
                () -> new ApiClient("http://127.0.0.1:" + port, null, Duration.ofSeconds(1)).get("/x"));
        assertEquals(Exit.UNREACHABLE, e.exit);
        assertTrue(e.getMessage().startsWith("cannot reach qx-node at http://127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void urlsAndTokensThatCouldSplitTheRequestAreRefused() throws Exception {
        assertEquals(new PlainHttp.Target("::1", 8710, "[::1]:8710", "/qx"), PlainHttp.Target.of("http://[::1]:8710/qx/"));
        assertEquals(new PlainHttp.Target("localhost", 80, "localhost", ""), PlainHttp.Target.of("HTTP://localhost"));
        for (String url : new String[] {"https://127.0.0.1:8710", "127.0.0.1:8710", "http://:8710", "http://h:0",
                "http://h:99999", "http://h:x", "http://h/a b", "http://h\r\nX: y"}) {
            assertEquals(Exit.USAGE, assertThrows(CliException.class, () -> PlainHttp.Target.of(url)).exit, url);
        }
        ApiClient injected = new ApiClient("http://127.0.0.1:" + server.getLocalPort(), "tok\r\nX-Evil: 1",
                Duration.ofSeconds(1));
        assertEquals(Exit.USAGE, assertThrows(CliException.class, () -> injected.get("/x")).exit);
    }
}
