package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.qtx.node.Rig;
import io.qtx.node.TestRigs;
import io.qtx.testkit.Await;

/**
 * Slow and greedy clients: the header and body deadlines (408), the connection caps per
 * client address and in all (503), each counted, the API still answering while a hundred
 * clients dribble their headers, and clients that stop reading cut off. Answers are asserted,
 * never how long they took.
 */
class ApiLimitsTest {

    private static TestRigs.Api rig(Duration header, Duration body, int total, int perClient) throws Exception {
        return TestRigs.api(c -> c.withAccess(c.access().withLimits(header, body, total, perClient)));
    }

    private static String metrics(TestRigs.Api rig) throws Exception {
        String answer = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("GET", "/metrics",
                "127.0.0.1:" + rig.api.port(), "", ""));
        assertEquals(200, RawHttp.status(answer), answer);
        return RawHttp.body(answer);
    }

    private static void assertCounted(TestRigs.Api rig, String reason) throws Exception {
        String m = metrics(rig);
        assertTrue(m.matches("(?s).*qtx_node_http_refused_total\\{reason=\"" + reason + "\"} [1-9]\\d*\n.*"), m);
    }

    @Test
    void headersThatDoNotArriveInTimeGetA408() throws Exception {
        try (TestRigs.Api rig = rig(Duration.ofMillis(500), Duration.ofSeconds(30), 64, 16);
             Socket s = RawHttp.connect("127.0.0.1", rig.api.port())) {
            s.getOutputStream().write("GET /api/v1/vms HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
            String answer = RawHttp.readAll(s);
            assertEquals(408, RawHttp.status(answer), answer);
            assertTrue(answer.contains("\"code\":\"REQUEST_TIMEOUT\""), answer);
            assertCounted(rig, "header_timeout");
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeGetsA408() throws Exception {
        try (TestRigs.Api rig = rig(Duration.ofSeconds(30), Duration.ofMillis(500), 64, 16)) {
            for (String method : new String[] {"POST", "PUT"}) {
                try (Socket s = RawHttp.connect("127.0.0.1", rig.api.port())) {
                    String path = method.equals("POST") ? "/api/v1/vms/vm-1/exec" : "/api/v1/vms/vm-1/files?path=/f";
                    String head = RawHttp.request(method, path, "127.0.0.1:" + rig.api.port(),
                            "Content-Type: application/json\r\n", "").replace("Content-Length: 0", "Content-Length: 100");
                    s.getOutputStream().write((head + "{\"shell\":").getBytes(StandardCharsets.US_ASCII));
                    String answer = RawHttp.readAll(s);
                    assertEquals(408, RawHttp.status(answer), method + ": " + answer);
                    assertTrue(answer.contains("api.body_timeout"), answer);
                }
            }
            // Larger than the front buffers: it streams, under the same deadline for all of it.
            try (Socket s = RawHttp.connect("127.0.0.1", rig.api.port())) {
                String head = RawHttp.request("POST", "/api/v1/vms/vm-1/exec", "127.0.0.1:" + rig.api.port(),
                        "Content-Type: application/json\r\n", "").replace("Content-Length: 0", "Content-Length: "
                        + (ApiFront.MAX_BUFFERED * 4));
                s.getOutputStream().write((head + "{\"shell\":\"" + "x".repeat(ApiFront.MAX_BUFFERED * 2))
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = RawHttp.readAll(s);
                assertEquals(408, RawHttp.status(answer), "streamed: " + answer);
            }
            assertCounted(rig, "body_timeout");
            assertTrue(rig.rig.handlers.lastRequest == null || !rig.rig.handlers.lastRequest.hasExec(),
                    "a request whose body never came never reached the agent");
        }
    }

    @Test
    void aChunkedUploadEndsAtItsLastChunkNotAtTheBodyDeadline() throws Exception {
        try (TestRigs.Api rig = rig(Duration.ofSeconds(30), Duration.ofSeconds(120), 64, 16);
             Socket s = RawHttp.connect("127.0.0.1", rig.api.port())) {
            String head = "PUT /api/v1/vms/vm-1/files?path=/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + TestRigs.TOKEN + "\r\nTransfer-Encoding: chunked\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write((head + "3\r\nabc").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.write("\r\n2\r\nde\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The client now waits, sending nothing: the answer must come without the 120 s deadline.
            String answer = RawHttp.readAll(s);
            assertEquals(200, RawHttp.status(answer), answer);
            assertTrue(answer.contains("\"bytes_written\":5"), answer);
        }
    }

    @Test
    void connectionsAreCappedPerClientAddressAndInAll() throws Exception {
        try (TestRigs.Api rig = rig(Duration.ofSeconds(60), Duration.ofSeconds(30), 6, 3)) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(RawHttp.connect("127.0.0.2", rig.api.port()));
                }
                Await.until("three connections open", () -> rig.api.openConnections() == 3);
                String fourth = RawHttp.exchange("127.0.0.2", rig.api.port(), "GET /api/v1/vms HTTP/1.1\r\n\r\n");
                assertEquals(503, RawHttp.status(fourth), fourth);
                assertTrue(fourth.contains("\"code\":\"TOO_MANY_CONNECTIONS\"") && fourth.contains("127.0.0.2"), fourth);
                String other = RawHttp.exchange("127.0.0.3", rig.api.port(), RawHttp.request("GET", "/api/v1/vms",
                        "127.0.0.1:" + rig.api.port(), "", ""));
                assertEquals(200, RawHttp.status(other), "another address still gets in: " + other);

                Await.until("the answered connection closed", () -> rig.api.openConnections() == 3);
                for (int i = 0; i < 3; i++) {
                    held.add(RawHttp.connect("127.0.0." + (4 + i), rig.api.port()));
                }
                Await.until("six connections open", () -> rig.api.openConnections() == 6);
                String seventh = RawHttp.exchange("127.0.0.9", rig.api.port(), "GET /api/v1/vms HTTP/1.1\r\n\r\n");
                assertEquals(503, RawHttp.status(seventh), seventh);
                assertTrue(seventh.contains("api.max_connections = 6"), seventh);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            Await.until("every connection closed", () -> rig.api.openConnections() == 0);
            assertCounted(rig, "connections_per_client");
            assertCounted(rig, "connections");
        }
    }

    @Test
    void aHundredSlowClientsLeaveTheApiAnswering() throws Exception {
        try (TestRigs.Api rig = rig(Duration.ofSeconds(120), Duration.ofSeconds(120), 256, 32)) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    Socket s = RawHttp.connect("127.0.0." + (10 + i / 10), rig.api.port());
                    slow.add(s);
                    s.getOutputStream().write("GET /api/v1/vms HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                }
                Await.until("a hundred slow clients connected", () -> rig.api.openConnections() >= 100);
                for (int round = 0; round < 3; round++) {
                    // One more byte each: still not a whole head.
                    for (Socket s : slow) {
                        OutputStream out = s.getOutputStream();
                        out.write('s');
                        out.flush();
                    }
                    for (String path : new String[] {"/api/v1/vms", "/metrics", "/api/v1/vms/vm-1/agent/ping"}) {
                        String r = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("GET", path,
                                "127.0.0.1:" + rig.api.port(), "", ""));
                        assertEquals(200, RawHttp.status(r), path + ": " + r);
                    }
                }
                String m = metrics(rig);
                assertTrue(m.matches("(?s).*qtx_node_http_connections_open 1\\d\\d\n.*"), m);
                for (Socket s : slow) {
                    assertTrue(!s.isClosed() && s.getInputStream().available() == 0, "slow clients are still waiting");
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    /**
     * Three downloads of a 64 MiB file whose clients never read, with api.threads at 2: without
     * a write deadline both handler threads wait on a full socket for good and the API answers
     * no one (the third download and every later call wait for a thread). Each is cut off after
     * api.write_timeout, counted, and the API answers.
     */
    @Test
    void clientsThatStopReadingAreCutOffAndTheApiAnswersEveryoneElse() throws Exception {
        try (TestRigs.Api rig = TestRigs.api(c -> c.withHttpThreads(2)
                .withAccess(c.access().withWriteTimeout(Duration.ofMillis(500))))) {
            rig.rig.handlers.putFile("/big", new byte[64 << 20]);
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096);
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", rig.api.port()), 10_000);
                    s.setSoTimeout(10_000);
                    stalled.add(s);
                    s.getOutputStream().write(RawHttp.request("GET", "/api/v1/vms/vm-1/files?path=/big",
                            "127.0.0.1:" + rig.api.port(), "", "").getBytes(StandardCharsets.US_ASCII));
                }
                Await.until("the stalled downloads let go", Duration.ofSeconds(60),
                        () -> rig.api.openConnections() == 0);
                String m = metrics(rig);
                assertTrue(m.matches("(?s).*\nqtx_node_http_answers_cut_total [1-3]\n.*"), m);
                for (Socket s : stalled) {
                    long got = 0;
                    try {
                        got = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    } catch (java.net.SocketException reset) {
                        // cut off with unread bytes in flight: a reset is as good as an end
                    }
                    assertTrue(got < 64 << 20, "a cut-off download ends short: " + got + " bytes");
                }
                String r = RawHttp.exchange("127.0.0.1", rig.api.port(), RawHttp.request("GET", "/api/v1/vms",
                        "127.0.0.1:" + rig.api.port(), "", ""));
                assertEquals(200, RawHttp.status(r), r);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }
}
