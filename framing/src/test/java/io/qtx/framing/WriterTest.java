package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class WriterTest {

    @Test
    void writesExactlyTheDocumentedBytes() {
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 12)) {
            byte[] p = Wire.payload(77, 5);
            assertTrue(w.offer(MemorySegment.ofArray(p), 0));
            w.frameVersion(FrameDescriptor.VERSION_2);
            assertTrue(w.offer(MemorySegment.ofArray(p), 0));
            assertArrayEquals(Wire.concat(Wire.qtx1(p), Wire.qtx2(p)), Wire.drain(w, null));
        }
    }

    @Test
    void anEncoderWritesStraightIntoTheFramesSpace() {
        byte[] p = Wire.payload(300, 9);
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 12)) {
            int[] room = {-1};
            assertTrue(w.offer(p, p.length, (payload, into) -> {
                room[0] = into.remaining();
                into.put(payload);
            }, 0));
            assertEquals(p.length, room[0], "the encoder is given exactly the size it asked for");
            assertArrayEquals(Wire.qtx1(p), Wire.drain(w, null));
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
                    Wire.feed(r, sink, Wire.drain(w, rnd), 4096);
                }
            }
            Wire.feed(r, sink, Wire.drain(w, rnd), 4096);
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
