package io.qtx.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.qtx.framing.FrameDescriptor;
import io.qtx.framing.FrameReader;
import io.qtx.framing.FrameWriter;
import io.qtx.framing.Wire;
import io.qtx.proto.Envelope;
import io.qtx.proto.FileWriteRequest;
import io.qtx.proto.Ping;
import io.qtx.proto.Request;

class ProtoFramesTest {

    private static Envelope ping(long id) {
        return Envelope.newBuilder().setId(id).setSentUnixMs(1_700_000_000_000L + id).setPing(Ping.getDefaultInstance()).build();
    }

    @Test
    void protobufGoesStraightIntoTheRingAndReadsBack() {
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 12); FrameReader r = new FrameReader(1 << 12, FrameReader.DEFAULT_STALL_NANOS)) {
            w.frameVersion(FrameDescriptor.VERSION_2);
            for (long id = 1; id <= 50; id++) {
                assertTrue(ProtoFrames.offer(w, ping(id)));
            }
            List<Envelope> got = new ArrayList<>();
            Wire.feed(r, new EnvelopeDecoder((e, v) -> got.add(e)), Wire.drain(w, new Random(3)), 1000);
            assertEquals(50, got.size());
            for (int i = 0; i < 50; i++) {
                assertEquals(ping(i + 1), got.get(i));
            }
        }
    }

    @Test
    void aPingIsThePayloadFramingsGoldenBytesShow() {
        Envelope ping = Envelope.newBuilder().setId(1).setPing(Ping.getDefaultInstance()).build();
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 10)) {
            assertTrue(ProtoFrames.offer(w, ping));
            assertArrayEquals(HexFormat.of().parseHex("5154580100000004" + "08016200"), Wire.drain(w, null));
        }
    }

    @Test
    void keepFreeAndThePeersMaximumHoldForMessages() {
        Envelope big = Envelope.newBuilder().setId(1).setRequest(Request.newBuilder()
                .setFileWrite(FileWriteRequest.newBuilder().setData(ByteString.copyFrom(new byte[2000])))).build();
        try (FrameWriter w = new FrameWriter(FrameReader.ringCapacity(1000), 1000)) {
            assertThrows(IllegalArgumentException.class, () -> ProtoFrames.offer(w, big));
            assertFalse(ProtoFrames.offer(w, ping(1), w.freeBytes()), "keepFree leaves no room");
            assertEquals(0, w.pendingBytes());
            assertTrue(ProtoFrames.offer(w, ping(1), 0));
        }
    }
}
