package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.qtx.framing.ResyncReason;
import io.qtx.proto.Envelope;
import io.qtx.proto.Filesystem;
import io.qtx.proto.Memory;
import io.qtx.proto.NetInterface;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.SessionCounters;

/** What qx-node does with a guest's text and numbers before it keeps or shows them. */
class GuestInputTest {

    @Test
    void guestTextCannotEndALineOrDriveATerminal() {
        String forged = "web-1\r\n2026-01-01T00:00:00Z INFO VmConnection: vm-9: ready -> removed\u001b[2J\u009b31m";
        String safe = GuestText.safe(forged);
        assertFalse(safe.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)), safe);
        assertTrue(safe.startsWith("web-1\\x0d\\x0a2026"), safe);
        assertTrue(safe.contains("\\x1b[2J\\x9b31m"), safe);
        assertEquals("a\\u202eb\\u2028", GuestText.safe("a\u202eb\u2028"), "bidi and line separators too");
        assertEquals("x".repeat(128) + "…", GuestText.safe("x".repeat(10_000)));
        assertEquals("", GuestText.safe(null));
        assertTrue(GuestText.isPlain("agent 0.1.0 on web-1"));
        assertFalse(GuestText.isPlain("a\nb"));
    }

    private static TelemetryReport.Builder sane() {
        return TelemetryReport.newBuilder().setCpuPercent(12.5).setLoad1M(0.5).setUptimeMs(1000)
                .setMemory(Memory.newBuilder().setTotalBytes(1000).setAvailableBytes(600).setUsedBytes(400))
                .addFilesystems(Filesystem.newBuilder().setMountpoint("/").setTotalBytes(10).setUsedBytes(5));
    }

    @Test
    void telemetryWithNumbersThatMeanNothingIsRefusedWhole() {
        assertNull(GuestMessages.checkTelemetry(sane().build(), 65536));
        assertNotNull(GuestMessages.checkTelemetry(sane().setCpuPercent(Double.NaN).build(), 65536));
        assertNotNull(GuestMessages.checkTelemetry(sane().setCpuPercent(-1).build(), 65536));
        assertNotNull(GuestMessages.checkTelemetry(sane().setCpuPercent(250).build(), 65536));
        assertNotNull(GuestMessages.checkTelemetry(sane().setLoad5M(Double.POSITIVE_INFINITY).build(), 65536));
        assertNotNull(GuestMessages.checkTelemetry(sane().setMemory(Memory.newBuilder().setTotalBytes(1)
                .setUsedBytes(2)).build(), 65536));
        assertNotNull(GuestMessages.checkTelemetry(sane().addFilesystems(Filesystem.newBuilder().setTotalBytes(1)
                .setAvailableBytes(-1L)).build(), 65536), "unsigned: -1 is 2^64-1, more than the total");
        assertNotNull(GuestMessages.checkTelemetry(sane().setHostname("x".repeat(100)).build(), 64),
                "over the report size bound");
    }

    @Test
    void historyIsBoundedInBytesWhateverTheReportsWeigh() {
        TelemetryStore store = new TelemetryStore(1000, 10_000);
        for (int i = 0; i < 500; i++) {
            assertTrue(store.add(sane().setHostname("h".repeat(i % 300)).build(), i));
            assertTrue(store.bytes() <= 10_000, "bytes " + store.bytes());
        }
        assertEquals(499, store.latest().receivedUnixMs(), "the newest is always kept");
        assertTrue(store.history().size() < 1000, "the byte bound, not the count, decided");
        assertFalse(store.add(sane().setHostname("h".repeat(20_000)).build(), 1000), "one report over the bound");
        assertEquals(1, store.refused());
        assertEquals(499, store.latest().receivedUnixMs(), "a refused report replaces nothing");
    }

    @Test
    void anAmplificationFrameNeverReachesTheParser() {
        // 256 KiB of empty repeated interfaces: 2 bytes each on the wire, an object each in Java.
        TelemetryReport.Builder r = TelemetryReport.newBuilder();
        for (int i = 0; i < 100_000; i++) {
            r.addInterfaces(NetInterface.getDefaultInstance());
        }
        byte[] wire = Envelope.newBuilder().setId(1).setTelemetry(r).build().toByteArray();
        ByteBuffer direct = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
        String broke = GuestLimits.guestWireLimits().check(direct);
        assertEquals("qtx.v1.TelemetryReport.interfaces: more than 64 entries", broke);
        Envelope hello = Envelope.newBuilder().setId(1).setHello(io.qtx.proto.Hello.newBuilder()
                .setHostname("x".repeat(300))).build();
        byte[] h = hello.toByteArray();
        assertEquals("qtx.v1.Hello.hostname: 300 bytes > 256",
                GuestLimits.guestWireLimits().check(ByteBuffer.allocateDirect(h.length).put(h).flip()));
    }

    private static GuestLimits strict() {
        return GuestLimits.defaults().withQuarantine(Duration.ofSeconds(10), 5, 1000, 3, 2, Duration.ofSeconds(1),
                Duration.ofSeconds(5));
    }

    /** The connection's counters with {@code framesReceived} frames and {@code handshakes} Hellos sent. */
    private static SessionCounters counters(long framesReceived, long handshakes) {
        return new SessionCounters(framesReceived, 0, 0, 0, 0, 0, new long[ResyncReason.values().length], 0,
                handshakes, 0, 0, 0, 0, null, 0, false, 0, 0);
    }

    /**
     * Hellos unanswered while an agent is stopped, paused or dead are silence, not misbehaviour,
     * although the connection's counters still hold what the agent said before it stopped (a
     * real agent stopped in its handshake was quarantined as "never completed a handshake").
     * Hellos unanswered while the guest keeps sending other bytes are the offence.
     */
    @Test
    void hellosUnansweredWhileTheGuestIsSilentAreNotAnOffenceEvenAfterItSpokeBefore() {
        Conduct c = new Conduct(strict(), 0);
        c.sample(counters(500, 1), true);
        for (int hellos = 2; hellos <= 12; hellos++) {
            c.sample(counters(500, hellos), false);
        }
        assertEquals(0, c.figures().handshakesUnanswered(), "eleven Hellos to a silent guest");
        // Back: its first frame arrives before the handshake is through. At most the Hello of
        // that stretch counts.
        c.sample(counters(501, 13), false);
        long back = c.figures().handshakesUnanswered();
        assertTrue(back <= 1, back + " counted");
        assertNull(c.judge(1, false));
        for (int hellos = 14; hellos <= 17; hellos++) {
            c.sample(counters(501 + hellos, hellos), false);
        }
        assertEquals(back + 4, c.figures().handshakesUnanswered(), "Hellos unanswered while it talks");
        assertTrue(c.judge(2, false).contains("never completed a handshake"));
    }

    @Test
    void conductQuarantinesPastAThresholdWithinAWindowAndTheBackOffGrows() {
        Conduct c = new Conduct(strict(), 0);
        c.throttled(4);
        assertNull(c.judge(1, true));
        c.throttled(1);
        String why = c.judge(2, true);
        assertNotNull(why);
        assertTrue(why.contains("rate limits"), why);
        assertEquals(Duration.ofSeconds(1), c.quarantine(why, 0));
        assertEquals(Duration.ofSeconds(2), c.quarantine(why, 0));
        assertEquals(Duration.ofSeconds(4), c.quarantine(why, 0));
        assertEquals(Duration.ofSeconds(5), c.quarantine(why, 0), "up to the maximum");
        assertEquals(4, c.figures().quarantines());
        assertEquals(why, c.lastQuarantine().reason());

        c.garbage(900, 0);
        assertNull(c.judge(3, false));
        c.garbage(0, 1);
        assertTrue(c.judge(4, false).contains("garbage"));
        c.handshakeUnanswered(3);
        assertTrue(c.judge(5, false).contains("handshake"));
        c.unresponsive();
        c.unresponsive();
        assertTrue(c.judge(6, false).contains("liveness"));
    }

    @Test
    void offencesSpreadOverWindowsAreForgivenAndACleanWindowResetsTheBackOff() {
        long window = Duration.ofSeconds(10).toNanos();
        Conduct c = new Conduct(strict(), 0);
        c.quarantine("x", 0);
        c.quarantine("x", 0);
        for (int w = 1; w <= 5; w++) {
            c.throttled(4);
            assertNull(c.judge(w * window, true), "4 a window never reaches 5");
        }
        assertNull(c.judge(6 * window, true)); // a clean window, ready: forgiven
        assertEquals(Duration.ofSeconds(1), c.quarantine("x", 0));
    }

    @Test
    void oneWarningPerPeriod() {
        Conduct c = new Conduct(GuestLimits.defaults(), 0);
        long period = GuestLimits.defaults().warnEvery().toNanos();
        assertTrue(c.mayWarn(0));
        assertFalse(c.mayWarn(1));
        assertFalse(c.mayWarn(period - 1));
        assertTrue(c.mayWarn(period));
    }
}
