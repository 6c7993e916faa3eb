package io.qtx.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.qtx.framing.FrameReader;
import io.qtx.framing.ReaderStats;
import io.qtx.framing.RingKind;
import io.qtx.framing.Wire;

import io.qtx.proto.Envelope;
import io.qtx.proto.Memory;
import io.qtx.proto.Ping;

class EnvelopeDecoderTest {

    private static final Envelope GOOD = Envelope.newBuilder().setId(7).setPing(Ping.getDefaultInstance()).build();

    private static List<Envelope> run(RingKind kind, byte[] bad, EnvelopeDecoder[] decoderOut, ReaderStats[] statsOut) {
        List<Envelope> got = new ArrayList<>();
        EnvelopeDecoder d = new EnvelopeDecoder((e, v) -> got.add(e));
        try (FrameReader reader = kind.reader(4096)) {
            Wire.feed(reader, d, Wire.concat(bad, Wire.qtx1(GOOD.toByteArray()), Wire.qtx2(GOOD.toByteArray())), 7);
            Wire.drain(reader, d);
            statsOut[0] = reader.stats();
        }
        decoderOut[0] = d;
        return got;
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void invalidProtobufIsADecodeResync(RingKind kind) {
        EnvelopeDecoder[] d = new EnvelopeDecoder[1];
        ReaderStats[] s = new ReaderStats[1];
        // 0x0A = field 1 length-delimited, but field 1 is a uint64: wrong wire type; then a
        // truncated varint.
        byte[] bad = Wire.concat(Wire.qtx1(new byte[] {0x0A, 0x05, 1}), Wire.qtx2(new byte[] {(byte) 0x08, (byte) 0xFF}));
        assertEquals(List.of(GOOD, GOOD), run(kind, bad, d, s));
        assertEquals(2, d[0].invalid());
        assertEquals(2, s[0].resyncsDecode());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void validProtobufOfTheWrongTypeIsDropped(RingKind kind) {
        EnvelopeDecoder[] d = new EnvelopeDecoder[1];
        ReaderStats[] s = new ReaderStats[1];
        // A Memory message where an Envelope belongs: it parses (fields become id/reply_to...)
        // only as an envelope with no payload, or as an envelope with id 0.
        byte[] wrong = Memory.newBuilder().setTotalBytes(0).setAvailableBytes(5).build().toByteArray();
        byte[] empty = new byte[0];
        byte[] bad = Wire.concat(Wire.qtx1(wrong), Wire.qtx2(wrong), Wire.qtx1(empty), Wire.qtx2(empty));
        assertEquals(List.of(GOOD, GOOD), run(kind, bad, d, s));
        assertEquals(4, d[0].unusable());
        assertEquals(2, s[0].resyncsDecode(), "QTX1 ones resync, QTX2 ones (CRC held) are only counted");
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void parsesInPlaceFromTheRing(RingKind kind) {
        try (FrameReader reader = kind.reader(4096)) {
            byte[] f = Wire.qtx2(GOOD.toByteArray());
            Envelope[] got = new Envelope[1];
            Wire.feed(reader, frame -> {
                // The buffer handed to protobuf is the ring's own memory, not a copy.
                assertEquals(true, frame.payloadBuffer().isDirect());
                assertEquals(frame.memory().address() + frame.payloadOffset(),
                        java.lang.foreign.MemorySegment.ofBuffer(frame.payloadBuffer()).address());
                try {
                    got[0] = EnvelopeDecoder.parse(frame);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
                return true;
            }, f, f.length);
            assertEquals(GOOD, got[0]);
        }
    }
}
