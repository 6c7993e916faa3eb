package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.proto.Envelope;
import io.qtx.proto.Memory;
import io.qtx.proto.NetInterface;
import io.qtx.proto.Ping;
import io.qtx.proto.TelemetryReport;

/**
 * qx-node against hostile guests, each playing QEMU's side of its socket with raw bytes,
 * beside well-behaved VMs on the channel simulator. Every test asserts a bound, a state, a
 * counter, the VM named, and that the good neighbours still answer; none asserts a timing.
 */
class HostileGuestTest {

    private static final int GOOD = 3;
    /** Thresholds low enough that a test sees a quarantine within seconds; the rates are the defaults. */
    static final GuestLimits LIMITS = GuestLimits.defaults()
            .withQuarantine(Duration.ofSeconds(10), 10, 64 * 1024, 8, 3, Duration.ofSeconds(60), Duration.ofMinutes(5))
            .withHelloRetryMax(Duration.ofSeconds(1));

    private Rig rig;
    private final List<HostileGuest> hostile = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        rig = new Rig();
        for (int i = 1; i <= GOOD; i++) {
            rig.agent(rig.vm("good-" + i));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (HostileGuest h : hostile) {
            h.close();
        }
        rig.close();
    }

    private HostileGuest guest(String id, HostileGuest.Behaviour b) throws Exception {
        HostileGuest h = new HostileGuest(rig.dir, id, b);
        hostile.add(h);
        return h;
    }

    private void start() throws Exception {
        rig.node = Node.start(Rig.fastConfig(rig.dir), LIMITS);
        for (int i = 1; i <= GOOD; i++) {
            rig.awaitState("good-" + i, VmState.READY);
        }
    }

    /** Every good VM answers a ping and is ready: the hostile one did not starve or break them. */
    private void goodNeighboursAnswer() throws Exception {
        for (int i = 1; i <= GOOD; i++) {
            // Ready (again): on a loaded 2-core machine a starved fake agent may briefly miss the
            // unresponsive bound; what counts is that it is served, not how fast.
            rig.awaitState("good-" + i, VmState.READY);
            assertTrue(rig.node.ping("good-" + i, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS) > 0);
            assertEquals(0, rig.snapshot("good-" + i).conduct().quarantines());
        }
    }

    private VmSnapshot awaitQuarantine(String id, String reasonPart) throws Exception {
        VmSnapshot s = rig.awaitVm(id, "misbehaving: " + reasonPart,
                v -> v.state() == VmState.MISBEHAVING && v.quarantine() != null
                        && v.quarantine().reason().contains(reasonPart));
        assertTrue(s.message().contains("next attempt in"), s.message());
        assertEquals(1, s.conduct().quarantines());
        return s;
    }

    @Test
    void twoMegabytesOfGarbageIsNamedGarbageAndQuarantined() throws Exception {
        guest("garbage", c -> {
            Random r = new Random(1);
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 32; i++) {
                r.nextBytes(chunk);
                c.write(chunk);
            }
        });
        start();
        VmSnapshot s = awaitQuarantine("garbage", "garbage");
        assertTrue(s.conduct().garbageBytes() >= 64 * 1024, "counted: " + s.conduct());
        assertNull(s.session(), "its connection is closed");
        goodNeighboursAnswer();
    }

    private static String qxctl(io.qtx.node.api.ApiServer api, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.qtx.node.cli.Qxctl.run(args, java.util.Map.of("QXCTL_URL", api.baseUrl(), "QXCTL_TOKEN", TestRigs.TOKEN),
                new java.io.ByteArrayInputStream(new byte[0]), new java.io.PrintStream(out, true,
                        java.nio.charset.StandardCharsets.UTF_8), new java.io.PrintStream(out, true,
                        java.nio.charset.StandardCharsets.UTF_8));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String get(io.qtx.node.api.ApiServer api, String path) throws Exception {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.baseUrl() + path))
                    .header("Authorization", "Bearer " + TestRigs.TOKEN).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0));
    }

    @Test
    void aForgedHostnameReachesNoLogLineTerminalOrPageRaw() throws Exception {
        String forged = "evil\r\n2026-01-01T00:00:00Z INFO VmConnection: vm-9: ready -> removed\u001b[2J\u009b31m";
        guest("forged", c -> c.behave(forged));
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(VmConnection.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            start();
            rig.awaitState("forged", VmState.READY);
        } finally {
            jul.removeHandler(capture);
        }
        List<String> about = logged.stream().filter(l -> l.startsWith("forged:")).toList();
        assertTrue(about.stream().anyMatch(l -> l.contains("evil\\x0d\\x0a2026")), about.toString());
        assertTrue(about.stream().noneMatch(HostileGuestTest::hasControl), about.toString());
        try (io.qtx.node.api.ApiServer api = io.qtx.node.api.ApiServer.start(rig.node,
                Rig.fastConfig(rig.dir).withHttp("127.0.0.1", 0, TestRigs.TOKEN))) {
            String vms = qxctl(api, "vms");
            assertTrue(vms.contains("forged") && !hasControl(vms), vms);
            String info = qxctl(api, "info", "forged");
            assertTrue(info.contains("evil\\x0d\\x0a") && info.contains("os:        evil") && !hasControl(info), info);
            // The page itself holds no VM data; what it draws comes from status.json, as text.
            String page = get(api, "/status.json");
            assertTrue(page.contains("forged") && page.contains("evil") && !hasControl(page), page);
        }
        goodNeighboursAnswer();
    }

    @Test
    void qxctlDoctorNamesAQuarantinedVm() throws Exception {
        guest("junk", c -> {
            Random r = new Random(2);
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 4; i++) {
                r.nextBytes(chunk);
                c.write(chunk);
            }
        });
        start();
        awaitQuarantine("junk", "garbage");
        try (io.qtx.node.api.ApiServer api = io.qtx.node.api.ApiServer.start(rig.node,
                Rig.fastConfig(rig.dir).withHttp("127.0.0.1", 0, TestRigs.TOKEN))) {
            String doctor = qxctl(api, "doctor", "junk");
            assertTrue(doctor.contains("conduct") && doctor.contains("garbage") && doctor.contains("quarantined"), doctor);
            String metrics = get(api, "/metrics");
            assertTrue(metrics.contains("qtx_node_vm_misbehaving{vm=\"junk\"} 1"), metrics);
            assertTrue(metrics.contains("qtx_node_vms{state=\"misbehaving\"} 1"), metrics);
            String detail = get(api, "/api/v1/vms/junk");
            assertTrue(detail.contains("\"quarantine\":{\"reason\":\"sent garbage"), detail);
        }
    }

    @Test
    void anAbsentAgentIsToldApartFromGarbageAndNotQuarantined() throws Exception {
        guest("silent", c -> { });
        guest("noisy", c -> c.write(new byte[8 * 1024])); // zeros: not our protocol, not enough to quarantine
        start();
        rig.awaitVm("silent", "diagnosed absent", v -> v.message().contains("no agent answered"));
        VmSnapshot noisy = rig.awaitVm("noisy", "diagnosed garbage", v -> v.message().contains("not our protocol"));
        assertEquals(VmState.HANDSHAKING, noisy.state());
        VmSnapshot silent = rig.snapshot("silent");
        assertEquals(0, silent.conduct().quarantines(), "silence is not misbehaviour");
        assertTrue(silent.session().handshakes() < 20, "hellos back off: " + silent.session().handshakes());
        goodNeighboursAnswer();
    }

    @Test
    void slowlorisHoldsOneRingAndIsAbandonedAtTheStallBound() throws Exception {
        guest("slowloris", c -> {
            c.write(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(0x51545801).putInt(200_000).array());
            for (int i = 0; i < 100_000; i++) {
                c.write(new byte[] {1});
                Thread.sleep(20); // the hostile guest's pace is part of what is tested
            }
        });
        start();
        VmSnapshot s = rig.awaitVm("slowloris", "its half frame abandoned",
                v -> v.session() != null && v.session().resyncs() > 0);
        assertEquals(VmState.HANDSHAKING, s.state());
        assertEquals(0, s.session().framesReceived());
        goodNeighboursAnswer();
    }

    @Test
    void fourGigabyteLengthsAndFalseHeadersNeverSwallowTheFramesBehindThem() throws Exception {
        byte[] huge1 = ByteBuffer.allocate(8).putInt(0x51545801).putInt(0xFFFFFFFF).array();
        byte[] huge2 = ByteBuffer.allocate(16).putInt(0x51545802).putInt(0xFFFFFFFF).putInt(1).putInt(2).array();
        byte[] nearMagics = "QTXQTX\u0000QTX\u0003QT".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        guest("lengths", c -> {
            c.awaitHello();
            for (int i = 0; i < 200; i++) {
                c.write(HostileGuest.concat(huge1, huge2, nearMagics));
            }
            c.behave("lengths");
        });
        start();
        VmSnapshot s = rig.awaitState("lengths", VmState.READY);
        assertTrue(s.session().resyncs() >= 400, "every bogus header given up: " + s.session());
        goodNeighboursAnswer();
    }

    @Test
    void nearMagicsByTheHundredThousandAreGarbage() throws Exception {
        byte[] near = "QTX\u0003QTX\u0000QTXQT".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        guest("near", c -> {
            byte[] many = new byte[near.length * 10_000];
            for (int i = 0; i < 10_000; i++) {
                System.arraycopy(near, 0, many, i * near.length, near.length);
            }
            for (int i = 0; i < 10; i++) {
                c.write(many);
            }
        });
        start();
        awaitQuarantine("near", "garbage");
        goodNeighboursAnswer();
    }

    @Test
    void aSpliceOfAnOldSessionsHalfFrameDoesNotHoldTheNewOneUp() throws Exception {
        byte[] old = HostileGuest.frame(Envelope.newBuilder().setId(9).setTelemetry(TelemetryReport.newBuilder()
                .setHostname("x".repeat(200))).build().toByteArray(), true);
        guest("splice", c -> {
            c.awaitHello();
            c.write(java.util.Arrays.copyOf(old, old.length / 2));
            c.behave("splice");
        });
        start();
        rig.awaitState("splice", VmState.READY);
        goodNeighboursAnswer();
    }

    @Test
    void aGuestThatTalksButNeverHandshakesIsQuarantined() throws Exception {
        guest("never", c -> {
            for (int i = 0; i < 100_000; i++) {
                c.send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()));
                Thread.sleep(50); // the hostile guest's pace is part of what is tested
            }
        });
        start();
        VmSnapshot s = awaitQuarantine("never", "never completed a handshake");
        assertTrue(s.conduct().handshakesUnanswered() >= 8, s.conduct().toString());
        goodNeighboursAnswer();
    }

    @Test
    void aGuestThatAnswersOnlyHellosIsQuarantinedForFailingLiveness() throws Exception {
        guest("hello-only", c -> c.handshake("hello-only"));
        start();
        // It completes every handshake but answers no ping: never ready, unresponsive again and again.
        VmSnapshot s = awaitQuarantine("hello-only", "failed liveness");
        assertTrue(s.transitions().stream().noneMatch(t -> t.state() == VmState.READY), s.transitions().toString());
        assertTrue(s.conduct().unresponsiveEpisodes() >= 3, s.conduct().toString());
        goodNeighboursAnswer();
    }

    private static TelemetryReport.Builder report(String host) {
        return TelemetryReport.newBuilder().setHostname(host).setCpuPercent(1).setCollectedUnixMs(1)
                .setMemory(Memory.newBuilder().setTotalBytes(1 << 30).setAvailableBytes(1 << 29));
    }

    @Test
    void aTelemetryFloodIsThrottledThenQuarantinedAndItsHistoryStaysBounded() throws Exception {
        guest("flood", c -> {
            c.behave("flood");
            byte[] one = HostileGuest.frame(Envelope.newBuilder().setId(1).setTelemetry(report("flood")).build()
                    .toByteArray(), false);
            byte[] burst = new byte[one.length * 256];
            for (int i = 0; i < 256; i++) {
                System.arraycopy(one, 0, burst, i * one.length, one.length);
            }
            while (true) {
                c.write(burst);
            }
        });
        start();
        VmSnapshot s = awaitQuarantine("flood", "rate limits");
        assertTrue(s.conduct().throttles() >= 10, s.conduct().toString());
        assertTrue(s.telemetryBytes() <= LIMITS.historyBytes(), "history bound: " + s.telemetryBytes());
        goodNeighboursAnswer();
    }

    @Test
    void aPingFloodGetsFewerPongsThanPingsAndIsQuarantined() throws Exception {
        HostileGuest.Conn[] conn = new HostileGuest.Conn[1];
        guest("pings", c -> {
            conn[0] = c;
            c.behave("pings");
            byte[] ping = HostileGuest.frame(Envelope.newBuilder().setId(7).setPing(Ping.getDefaultInstance()).build()
                    .toByteArray(), false);
            byte[] burst = new byte[ping.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
            }
            while (true) {
                c.write(burst);
            }
        });
        start();
        VmSnapshot s = awaitQuarantine("pings", "rate limits");
        assertTrue(s.conduct().pingsRefused() > 0, s.conduct().toString());
        long pongs = conn[0].fromHost.stream().filter(Envelope::hasPong).count();
        long pingsSent = conn[0].bytesToHost.get() / 12;
        assertTrue(pongs < pingsSent / 2, "amplification refused: " + pongs + " pongs for " + pingsSent + " pings");
        goodNeighboursAnswer();
    }

    @Test
    void amplificationFramesAreRefusedUnparsedAndNeverKept() throws Exception {
        TelemetryReport.Builder r = TelemetryReport.newBuilder();
        for (int i = 0; i < 100_000; i++) {
            r.addInterfaces(NetInterface.getDefaultInstance());
        }
        byte[] frame = HostileGuest.frame(Envelope.newBuilder().setId(3).setTelemetry(r).build().toByteArray(), true);
        assertTrue(frame.length > 190_000 && frame.length < 256 * 1024, "a 200 KiB frame: " + frame.length);
        guest("amplify", c -> {
            c.behave("amplify");
            while (true) {
                c.write(frame);
            }
        });
        start();
        // Refused frames count as garbage, and at 200 KiB each they also run into the byte rate:
        // whichever threshold comes first names it.
        VmSnapshot s = awaitQuarantine("amplify", "");
        assertTrue(s.conduct().envelopesRefused() > 0, s.conduct().toString());
        assertEquals(0, s.telemetryReports(), "nothing of it kept");
        assertEquals(0, s.telemetryBytes());
        goodNeighboursAnswer();
    }

    @Test
    void manyVmsSendingMaximumSizeValidReportsStayWithinTheirHistoryBound() throws Exception {
        TelemetryReport.Builder big = HostileFarm.maximumReport().toBuilder().setHostname("big").setCollectedUnixMs(1);
        byte[] payload = Envelope.newBuilder().setId(5).setTelemetry(big).build().toByteArray();
        assertTrue(payload.length < LIMITS.maxReportBytes() && payload.length > 40_000, "size " + payload.length);
        assertNull(GuestLimits.guestWireLimits().check(ByteBuffer.allocateDirect(payload.length).put(payload).flip()),
                "a valid report within every bound");
        byte[] frame = HostileGuest.frame(payload, false);
        int vms = 12;
        for (int v = 0; v < vms; v++) {
            guest("big-" + v, c -> {
                c.behave("big");
                for (int i = 0; i < 30; i++) {
                    c.write(frame);
                    Thread.sleep(200); // the hostile guest's pace is part of what is tested
                }
            });
        }
        start();
        long total = 0;
        for (int v = 0; v < vms; v++) {
            VmSnapshot s = rig.awaitVm("big-" + v, "reports kept", x -> x.telemetryReports() >= 10);
            assertTrue(s.telemetryBytes() <= LIMITS.historyBytes(), "per VM bound: " + s.telemetryBytes());
            assertNotNull(s.telemetry());
            assertEquals(64, s.telemetry().getInterfacesCount());
            total += s.telemetryBytes();
        }
        assertTrue(total <= (long) vms * LIMITS.historyBytes());
        goodNeighboursAnswer();
    }
}
