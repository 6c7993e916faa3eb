package io.qtx.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.qtx.framing.FrameReader;
import io.qtx.framing.RingKind;
import io.qtx.framing.Wire;

import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.NetInterface;
import io.qtx.proto.Ping;
import io.qtx.proto.TelemetryReport;

class WireLimitsTest {

    private static final WireLimits LIMITS = WireLimits.of(Envelope.getDescriptor())
            .repeated(100).strings(1000).objects(500).depth(8)
            .field("qtx.v1.TelemetryReport.interfaces", 4, 1000)
            .type("qtx.v1.Hello", 8, 16)
            .build();

    private static ByteBuffer direct(byte[] b) {
        ByteBuffer d = ByteBuffer.allocateDirect(b.length + 10);
        d.position(5);
        d.put(b);
        d.flip();
        d.position(5);
        return d;
    }

    private static String check(Envelope e) {
        return LIMITS.check(direct(e.toByteArray()));
    }

    private static Envelope telemetry(int interfaces, int ipv4Each) {
        TelemetryReport.Builder r = TelemetryReport.newBuilder().setHostname("h");
        for (int i = 0; i < interfaces; i++) {
            NetInterface.Builder n = NetInterface.newBuilder().setName("eth" + i);
            for (int j = 0; j < ipv4Each; j++) {
                n.addIpv4("10.0.0." + j + "/24");
            }
            r.addInterfaces(n);
        }
        return Envelope.newBuilder().setId(1).setTelemetry(r).build();
    }

    @Test
    void aMessageWithinEveryBoundPassesAndThePositionStays() {
        ByteBuffer b = direct(telemetry(4, 10).toByteArray());
        int position = b.position();
        assertNull(LIMITS.check(b));
        assertEquals(position, b.position());
        assertNull(check(Envelope.newBuilder().setId(1).setPing(Ping.getDefaultInstance()).build()));
    }

    @Test
    void oneFieldsOwnBoundWinsOverTheDefault() {
        String broke = check(telemetry(5, 0));
        assertEquals("qtx.v1.TelemetryReport.interfaces: more than 4 entries", broke);
    }

    @Test
    void emptyRepeatedEntriesCountAsObjects() {
        // The amplification case: 2 bytes on the wire, one object each, nested in a repeated
        // field with a lax bound: the object total catches it.
        WireLimits lax = WireLimits.of(Envelope.getDescriptor()).objects(1000).build();
        TelemetryReport.Builder r = TelemetryReport.newBuilder();
        for (int i = 0; i < 2000; i++) {
            r.addInterfaces(NetInterface.getDefaultInstance());
        }
        String broke = lax.check(direct(Envelope.newBuilder().setId(1).setTelemetry(r).build().toByteArray()));
        assertNotNull(broke);
        assertTrue(broke.contains("more than 1000 objects"), broke);
    }

    @Test
    void aStringOverItsTypesBoundIsRefused() {
        Envelope e = Envelope.newBuilder().setId(1).setHello(Hello.newBuilder().setHostname("x".repeat(17))).build();
        assertEquals("qtx.v1.Hello.hostname: 17 bytes > 16", check(e));
        Envelope ok = Envelope.newBuilder().setId(1).setHello(Hello.newBuilder().setHostname("x".repeat(16))).build();
        assertNull(check(ok));
    }

    @Test
    void packedScalarsCountTheirBytes() {
        Hello.Builder h = Hello.newBuilder();
        for (int i = 0; i < 9; i++) {
            h.addProtocolVersions(1);
        }
        assertEquals("qtx.v1.Hello.protocol_versions: more than 8 entries",
                check(Envelope.newBuilder().setId(1).setHello(h).build()));
    }

    @Test
    void unknownFieldsAreObjectsAndStrings() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Envelope.newBuilder().setId(1).setPing(Ping.getDefaultInstance()).build().toByteArray());
        // field 99, length-delimited, 2000 bytes: over the default string bound
        out.writeBytes(new byte[] {(byte) 0x9A, 0x06, (byte) 0xD0, 0x0F});
        out.writeBytes(new byte[2000]);
        String broke = LIMITS.check(direct(out.toByteArray()));
        assertEquals("qtx.v1.Envelope unknown field 99: 2000 bytes > 1000", broke);
    }

    @Test
    void groupsAndDeepNestingAreRefused() {
        // field 99 as a start-group
        byte[] group = {0x08, 0x01, (byte) 0x9B, 0x06, (byte) 0x9C, 0x06};
        assertTrue(LIMITS.check(direct(group)).contains("a group"));
        WireLimits shallow = WireLimits.of(Envelope.getDescriptor()).depth(2).build();
        assertTrue(shallow.check(direct(telemetry(1, 1).toByteArray())).contains("nested deeper than 2"));
    }

    @Test
    void garbageIsReportedNotThrown() {
        List<String> results = new ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            results.add(LIMITS.check(direct(b)));
        }
        assertTrue(results.stream().anyMatch(r -> r != null && r.startsWith("malformed")));
    }

    @Test
    void aMisspelledNameFailsTheBuild() {
        assertThrows(IllegalArgumentException.class,
                () -> WireLimits.of(Envelope.getDescriptor()).field("qtx.v1.TelemetryReport.interface", 1, 1).build());
        assertThrows(IllegalArgumentException.class,
                () -> WireLimits.of(Envelope.getDescriptor()).type("qtx.v1.Helo", 1, 1).build());
    }

    @Test
    void aDecoderRefusesWhatBreaksItsLimitsWithoutParsing() {
        List<Envelope> got = new ArrayList<>();
        EnvelopeDecoder d = new EnvelopeDecoder((e, v) -> got.add(e), LIMITS);
        Envelope good = Envelope.newBuilder().setId(2).setPing(Ping.getDefaultInstance()).build();
        try (FrameReader reader = RingKind.COMPACTING.reader(64 * 1024)) {
            Wire.feed(reader, d, Wire.concat(Wire.qtx2(telemetry(5, 0).toByteArray()), Wire.qtx2(good.toByteArray()),
                    Wire.qtx1(telemetry(5, 0).toByteArray()), Wire.qtx1(good.toByteArray())), 100);
            Wire.drain(reader, d);
        }
        assertEquals(List.of(good, good), got);
        assertEquals(2, d.overLimits());
        assertEquals("qtx.v1.TelemetryReport.interfaces: more than 4 entries", d.lastOverLimit());
        assertEquals(0, d.invalid());
    }

    @Test
    void bytesFieldsUseTheStringBound() {
        Envelope e = Envelope.newBuilder().setId(1).setHello(Hello.newBuilder().setNonce(ByteString.copyFrom(new byte[17])))
                .build();
        assertEquals("qtx.v1.Hello.nonce: 17 bytes > 16", check(e));
    }
}
