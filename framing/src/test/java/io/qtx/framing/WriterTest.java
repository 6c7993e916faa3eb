package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.qtx.proto.Envelope;
import io.qtx.proto.Ping;

class WriterTest {

    /** Drains the writer as a transport would, taking at most {@code perWrite} bytes per write. */
    private static byte[] drain(FrameWriter w, Random shortWrites) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (w.chunkLength() > 0) {
            int len = w.chunkLength();
            assertTrue(len <= FrameDescriptor.MAX_WRITE_CHUNK, "chunk " + len);
            int n = shortWrites == null ? len : shortWrites.nextInt(len + 1);
            MemorySegment chunk = w.memory().asSlice(w.chunkOffset(), n);
            out.writeBytes(chunk.toArray(ValueLayout.JAVA_BYTE));
            w.consumed(n);
        }
        return out.toByteArray();
    }

    private static Envelope ping(long id) {
        return Envelope.newBuilder().setId(id).setSentUnixMs(1_700_000_000_000L + id).setPing(Ping.getDefaultInstance()).build();
    }

    @Test
    void writesExactlyTheDocumentedBytes() {
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 12)) {
            byte[] p = Wire.payload(77, 5);
            assertTrue(w.offer(MemorySegment.ofArray(p), 0));
            w.frameVersion(FrameDescriptor.VERSION_2);
            assertTrue(w.offer(MemorySegment.ofArray(p), 0));
            assertArrayEquals(Wire.concat(Wire.qtx1(p), Wire.qtx2(p)), drain(w, null));
        }
    }

    @Test
    void protobufGoesStraightIntoTheRingAndReadsBack() {
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 12); FrameReader r = new FrameReader(1 << 12, FrameReader.DEFAULT_STALL_NANOS)) {
            w.frameVersion(FrameDescriptor.VERSION_2);
            for (long id = 1; id <= 50; id++) {
                assertTrue(w.offer(ping(id)));
            }
            List<Envelope> got = new ArrayList<>();
            Wire.feed(r, new EnvelopeDecoder((e, v) -> got.add(e)), drain(w, new Random(3)), 1000);
            assertEquals(50, got.size());
            for (int i = 0; i < 50; i++) {
                assertEquals(ping(i + 1), got.get(i));
            }
        }
    }

    @Test
    void chunksNeverExceed32KiBAndShortWritesLoseNothing() {
        int max = 100_000;
        try (FrameWriter w = new FrameWriter(400_000, max); FrameReader r = new FrameReader(max, FrameReader.DEFAULT_STALL_NANOS)) {
            Random rnd = new Random(11);
            List<byte[]> sent = new ArrayList<>();
            Wire.Sink sink = new Wire.Sink();
            for (int round = 0; round < 40; round++) {
                w.frameVersion((byte) (round % 2 + 1));
                byte[] p = Wire.payload(rnd.nextInt(max + 1), round);
                if (w.offer(MemorySegment.ofArray(p), 0)) {
                    sent.add(p);
                }
                if (rnd.nextInt(3) == 0) {
                    Wire.feed(r, sink, drain(w, rnd), 4096);
                }
            }
            Wire.feed(r, sink, drain(w, rnd), 4096);
            assertEquals(sent.size(), sink.payloads.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), sink.payloads.get(i));
            }
            assertEquals(w.bytesWritten(), r.stats().payloadBytes() + 8L * count(sink.versions, 1) + 16L * count(sink.versions, 2));
        }
    }

    private static long count(List<Byte> versions, int v) {
        return versions.stream().filter(x -> x == v).count();
    }

    @Test
    void aFullQueueRefusesInsteadOfGrowing() {
        try (FrameWriter w = new FrameWriter(FrameReader.ringCapacity(1000), 1000)) {
            int cap = w.freeBytes();
            MemorySegment p = MemorySegment.ofArray(new byte[100]);
            int fit = 0;
            while (w.offer(p, 0)) {
                fit++;
            }
            assertEquals(cap / 108, fit);
            assertEquals(1, w.framesRefused());
            assertEquals(fit, w.framesQueued());
            w.consumed(108);
            assertTrue(w.offer(p, 0), "room again once the transport took a frame");
        }
    }

    @Test
    void keepFreeHoldsRoomForReplies() {
        try (FrameWriter w = new FrameWriter(4096, 1024)) {
            MemorySegment telemetry = MemorySegment.ofArray(new byte[500]);
            int n = 0;
            while (w.offer(telemetry, 2048)) {
                n++;
            }
            assertTrue(w.freeBytes() >= 2048 - 508 && w.freeBytes() < 2048 + 508, "free=" + w.freeBytes());
            assertTrue(w.offer(MemorySegment.ofArray(new byte[1024]), 0), "a reply still fits after " + n + " reports");
        }
    }

    @Test
    void aPayloadOverThePeersMaximumIsRefusedLoudly() {
        try (FrameWriter w = new FrameWriter(1 << 16, 100)) {
            assertThrows(IllegalArgumentException.class, () -> w.offer(MemorySegment.ofArray(new byte[101]), 0));
            assertThrows(IllegalArgumentException.class, () -> w.frameVersion((byte) 3));
            assertFalse(w.chunkLength() > 0);
        }
    }
}
