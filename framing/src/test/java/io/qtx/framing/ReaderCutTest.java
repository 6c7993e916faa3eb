package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The same stream, cut anywhere, gives the same frames. */
class ReaderCutTest {

    private static final int MAX = 1500;

    /** Frames of both versions and sizes from 0 to the maximum, garbage between some. */
    private static final List<byte[]> PAYLOADS = new ArrayList<>();
    private static final byte[] STREAM;

    static {
        int[] sizes = {0, 1, 7, 8, 9, 100, MAX, 3, 255, 1024, 0, 64};
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] p = Wire.payload(sizes[i], i);
            PAYLOADS.add(p);
            if (i % 4 == 2) {
                parts.add(new byte[] {0x00, 0x51, 0x54, 0x13, 0x51}); // looks like a magic's start, is not
            }
            parts.add(Wire.frame(i % 2 + 1, p));
        }
        STREAM = Wire.concat(parts.toArray(byte[][]::new));
    }

    private static void assertSameFrames(List<byte[]> got, String what) {
        assertEquals(PAYLOADS.size(), got.size(), what + ": frame count");
        for (int i = 0; i < PAYLOADS.size(); i++) {
            assertArrayEquals(PAYLOADS.get(i), got.get(i), what + ": frame " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void everyChunkSizeDownToOneByteGivesTheSameFrames(RingKind kind) {
        // One reader for every pass: the stream lands at ever-different ring offsets, so frames
        // straddle the wrap point (mirrored) or force compaction.
        try (FrameReader reader = kind.reader(MAX)) {
            for (int chunk = 1; chunk <= STREAM.length; chunk++) {
                Wire.Sink sink = new Wire.Sink();
                Wire.feed(reader, sink, STREAM, chunk);
                assertSameFrames(sink.payloads, "chunk=" + chunk);
                assertEquals(0, reader.ring().readableBytes(), "chunk=" + chunk + ": bytes left");
            }
            ReaderStats s = reader.stats();
            assertEquals(0, s.resyncs());
            // Three 5-byte runs of garbage per pass, each skipped whole.
            assertEquals(15L * STREAM.length, s.bytesSkipped());
            assertEquals((long) PAYLOADS.size() * STREAM.length, s.frames());
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void everySingleCutPointGivesTheSameFrames(RingKind kind) {
        try (FrameReader reader = kind.reader(MAX)) {
            for (int cut = 0; cut <= STREAM.length; cut++) {
                Wire.Sink sink = new Wire.Sink();
                Wire.feed(reader, sink, java.util.Arrays.copyOfRange(STREAM, 0, cut), Integer.MAX_VALUE);
                Wire.feed(reader, sink, java.util.Arrays.copyOfRange(STREAM, cut, STREAM.length), Integer.MAX_VALUE);
                assertSameFrames(sink.payloads, "cut=" + cut);
                assertFalse(reader.hasPendingFrame());
            }
        }
    }
}
