package io.qtx.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.qtx.framing.FrameReader;
import io.qtx.framing.RingKind;
import io.qtx.framing.Wire;

import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Ping;
import io.qtx.proto.Role;
import io.qtx.proto.TelemetryReport;

/**
 * The virtio-serial splice: half a frame from session A (an old host client that went away
 * mid-frame), then session B's frames back to back. Nothing from A may come out, and all of B
 * must.
 */
class SessionSpliceTest {

    private static final int MAX = 1 << 16;

    private static Envelope envelope(long id, int telemetryPadding) {
        if (telemetryPadding == 0) {
            return Envelope.newBuilder().setId(id).setSentUnixMs(id).setPing(Ping.getDefaultInstance()).build();
        }
        return Envelope.newBuilder().setId(id).setSentUnixMs(id)
                .setTelemetry(TelemetryReport.newBuilder().setHostname("h".repeat(telemetryPadding)).setCpuPercent(id))
                .build();
    }

    private static List<Envelope> sessionB() {
        List<Envelope> b = new ArrayList<>();
        b.add(Envelope.newBuilder().setId(1).setHello(Hello.newBuilder().setRole(Role.ROLE_AGENT)
                .setNonce(com.google.protobuf.ByteString.copyFrom(new byte[16]))).build());
        for (long id = 2; id <= 20; id++) {
            b.add(envelope(id, (int) (id % 3) * 200));
        }
        return b;
    }

    private static byte[] encode(int version, List<Envelope> envelopes) {
        List<byte[]> parts = new ArrayList<>();
        for (Envelope e : envelopes) {
            parts.add(Wire.frame(version, e.toByteArray()));
        }
        return Wire.concat(parts.toArray(byte[][]::new));
    }

    private static List<Envelope> read(RingKind kind, byte[] stream, boolean resetAtTransition, int transitionAt) {
        List<Envelope> got = new ArrayList<>();
        EnvelopeDecoder decoder = new EnvelopeDecoder((e, v) -> got.add(e));
        try (FrameReader reader = kind.reader(MAX)) {
            Wire.feed(reader, decoder, Arrays.copyOf(stream, transitionAt), 4096);
            if (resetAtTransition) {
                reader.reset();
            }
            Wire.feed(reader, decoder, Arrays.copyOfRange(stream, transitionAt, stream.length), 4096);
            Wire.drain(reader, decoder);
        }
        return got;
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void qtx2HalfFrameFromAThenBNeverYieldsAMessageAndLosesNoneOfB(RingKind kind) {
        // A's frame is long (a telemetry report), so its length reaches deep into B's frames.
        byte[] a = Wire.qtx2(envelope(99, 3000).toByteArray());
        List<Envelope> b = sessionB();
        byte[] bBytes = encode(2, b);
        for (int cut = 1; cut < a.length; cut += 37) {
            byte[] stream = Wire.concat(Arrays.copyOf(a, cut), bBytes);
            // The reader is not told of the transition: it must sort it out by itself.
            assertEquals(b, read(kind, stream, false, cut), "cut=" + cut);
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void qtx1HalfFrameFromAThenBWithResetAtTheTransition(RingKind kind) {
        // QTX1 has no CRC: the reader relies on reset() at the connection transition.
        byte[] a = Wire.qtx1(envelope(99, 3000).toByteArray());
        List<Envelope> b = sessionB();
        byte[] bBytes = encode(1, b);
        for (int cut = 1; cut < a.length; cut += 37) {
            byte[] stream = Wire.concat(Arrays.copyOf(a, cut), bBytes);
            assertEquals(b, read(kind, stream, true, cut), "cut=" + cut);
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void interleavedHalvesOfTwoSessions(RingKind kind) {
        // Session A and session B each lose their connection mid-frame, alternately.
        List<Envelope> all = new ArrayList<>();
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Envelope whole = envelope(1000 + i, 500);
            Envelope half = envelope(2000 + i, 900);
            byte[] h = Wire.qtx2(half.toByteArray());
            parts.add(Arrays.copyOf(h, h.length / 2));
            parts.add(Wire.qtx2(whole.toByteArray()));
            all.add(whole);
        }
        assertEquals(all, read(kind, Wire.concat(parts.toArray(byte[][]::new)), false, 0));
    }
}
