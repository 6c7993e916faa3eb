package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each kind of bad input the issue lists, followed by good frames that must all come through. */
class BadInputTest {

    private static final int MAX = 4096;
    private static final byte[] A = Wire.payload(100, 1);
    private static final byte[] B = Wire.payload(2000, 2);
    private static final byte[] C = Wire.payload(0, 3);

    /** Three good frames, both versions. */
    private static byte[] good() {
        return Wire.concat(Wire.qtx1(A), Wire.qtx2(B), Wire.qtx1(C));
    }

    private static void assertGoodFramesAfter(Wire.Sink sink) {
        List<byte[]> got = sink.payloads;
        assertTrue(got.size() >= 3, "got " + got.size() + " frames");
        List<byte[]> last = got.subList(got.size() - 3, got.size());
        assertArrayEquals(A, last.get(0));
        assertArrayEquals(B, last.get(1));
        assertArrayEquals(C, last.get(2));
    }

    private static ReaderStats run(RingKind kind, byte[] bad, Wire.Sink sink) {
        try (FrameReader reader = kind.reader(MAX)) {
            for (int chunk : new int[] {1, 3, 4096}) {
                Wire.feed(reader, sink, Wire.concat(bad, good()), chunk);
                Wire.drain(reader, sink);
                assertTrue(reader.ring().readableBytes() <= reader.ring().capacity());
            }
            return reader.stats();
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void randomBytes(RingKind kind) {
        byte[] junk = new byte[50_000];
        new Random(7).nextBytes(junk);
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, junk, sink);
        assertGoodFramesAfter(sink);
        assertTrue(s.bytesSkipped() >= 3 * (junk.length - 2 * MAX), "skipped " + s.bytesSkipped());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void fakeMagicsWithoutHeaders(RingKind kind) {
        byte[] junk = new byte[400];
        for (int i = 0; i < junk.length; i += 4) {
            junk[i] = 0x51;
            junk[i + 1] = 0x54;
            junk[i + 2] = 0x58;
            junk[i + 3] = (byte) (i % 8 == 0 ? 0x01 : 0x02);
        }
        Wire.Sink sink = new Wire.Sink();
        run(kind, junk, sink);
        assertGoodFramesAfter(sink);
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void hugeLengthIsAnOversizeResyncNotAWait(RingKind kind) {
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, Wire.qtx1Header(0x7FFF_FFF0), sink);
        assertEquals(9, sink.payloads.size());
        assertGoodFramesAfter(sink);
        assertEquals(3, s.resyncsOversize());
        assertEquals(0, s.resyncsAbandoned());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void aBareQtx1MagicRightBeforeAFrameDoesNotSwallowIt(RingKind kind) {
        // Its "length" is the next frame's magic, 0x51545801: oversize; the scan must restart one
        // byte after the bare magic, so the real frame at offset 4 is found.
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, new byte[] {0x51, 0x54, 0x58, 0x01}, sink);
        assertEquals(9, sink.payloads.size());
        assertGoodFramesAfter(sink);
        assertEquals(3, s.resyncsOversize());
        assertEquals(3 * 4, s.bytesSkipped());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void aBareQtx2MagicRightBeforeAFrameDoesNotSwallowIt(RingKind kind) {
        // Its header CRC is computed over the next frame's first bytes: it fails at once.
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, new byte[] {0x51, 0x54, 0x58, 0x02}, sink);
        assertEquals(9, sink.payloads.size());
        assertGoodFramesAfter(sink);
        assertEquals(3, s.resyncsIntegrity());
        assertEquals(3 * 4, s.bytesSkipped());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void lengthWithTheTopBitSetIsOversize(RingKind kind) {
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, Wire.qtx1Header(0xFFFF_FFFF), sink);
        assertGoodFramesAfter(sink);
        assertEquals(3, s.resyncsOversize());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void lengthZeroIsAnEmptyFrame(RingKind kind) {
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, Wire.qtx1Header(0), sink);
        assertEquals(12, sink.payloads.size());
        assertEquals(0, sink.payloads.get(0).length);
        assertEquals(0, s.resyncs());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void truncatedFrameFollowedByGoodOnes(RingKind kind) {
        // A QTX2 frame cut short: its length swallows the good frames until the CRC fails.
        byte[] whole = Wire.qtx2(Wire.payload(3000, 9));
        byte[] cut = java.util.Arrays.copyOf(whole, 700);
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, cut, sink);
        assertEquals(9, sink.payloads.size());
        assertGoodFramesAfter(sink);
        assertEquals(3, s.resyncsIntegrity() + s.resyncsAbandoned());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void truncatedQtx1HeaderClaimingMoreThanFollowsIsAbandonedAtReset(RingKind kind) {
        // Claims 4000 bytes: more than the good frames after it, so only reset() can free them.
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, Wire.qtx1Header(4000), sink);
        assertEquals(9, sink.payloads.size());
        assertGoodFramesAfter(sink);
        assertEquals(3, s.resyncsAbandoned());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void corruptQtx2HeaderIsRejectedAtOnce(RingKind kind) {
        byte[] f = Wire.qtx2(Wire.payload(10, 4));
        f[5] ^= 0x10; // the length: header CRC no longer matches
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, f, sink);
        assertEquals(9, sink.payloads.size());
        assertEquals(3, s.resyncsIntegrity());
        assertEquals(0, s.resyncsAbandoned());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void corruptQtx2PayloadIsDropped(RingKind kind) {
        byte[] f = Wire.qtx2(Wire.payload(300, 4));
        f[200] ^= 0x01;
        Wire.Sink sink = new Wire.Sink();
        ReaderStats s = run(kind, f, sink);
        assertEquals(9, sink.payloads.size());
        assertEquals(3, s.resyncsIntegrity());
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void handlerRejectionRescansFromTheByteAfterTheMagic(RingKind kind) {
        // A frame whose payload hides a whole good frame: when the handler rejects the outer one,
        // the inner one is found, as the resync rule says.
        byte[] inner = Wire.qtx1(A);
        byte[] outer = Wire.qtx1(Wire.concat(new byte[] {9, 9}, inner));
        try (FrameReader reader = kind.reader(MAX)) {
            Wire.Sink sink = new Wire.Sink();
            FrameHandler rejectOuter = f -> f.payloadLength() != inner.length + 2 && sink.onFrame(f);
            Wire.feed(reader, rejectOuter, outer, 4096);
            assertEquals(1, sink.payloads.size());
            assertArrayEquals(A, sink.payloads.get(0));
            assertEquals(1, reader.stats().resyncsDecode());
            assertEquals(8 + 2, reader.stats().bytesSkipped(), "outer header and the two bytes before inner");
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void handlerExceptionConsumesTheFrameAndPropagates(RingKind kind) {
        try (FrameReader reader = kind.reader(MAX)) {
            byte[] two = Wire.concat(Wire.qtx1(A), Wire.qtx1(C));
            ByteRing ring = reader.ring();
            ring.prepareWrite();
            java.lang.foreign.MemorySegment.copy(two, 0, ring.memory(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                    ring.writeOffset(), two.length);
            ring.commit(two.length);
            IllegalStateException boom = new IllegalStateException("handler bug");
            IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> reader.poll(f -> {
                        throw boom;
                    }));
            assertEquals(boom, thrown);
            Wire.Sink sink = new Wire.Sink();
            reader.poll(sink);
            assertEquals(1, sink.payloads.size());
            assertArrayEquals(C, sink.payloads.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void stallBoundAbandonsAFrameThatNeverCompletes(RingKind kind) {
        try (FrameReader reader = new FrameReader(kind.make(FrameReader.ringCapacity(MAX)), MAX, 1_000)) {
            Wire.Sink sink = new Wire.Sink();
            Wire.feed(reader, sink, Wire.concat(Wire.qtx1Header(3000), Wire.qtx1(A)), 4096);
            assertTrue(reader.hasPendingFrame());
            assertEquals(false, reader.expire(10_000), "first sight starts the clock");
            assertEquals(false, reader.expire(10_999), "not yet past the bound");
            assertEquals(true, reader.expire(11_000));
            reader.poll(sink);
            assertEquals(1, sink.payloads.size());
            assertArrayEquals(A, sink.payloads.get(0));
            assertEquals(1, reader.stats().resyncsAbandoned());
            assertEquals(false, reader.expire(50_000), "nothing pending any more");
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void resetAllAbandonsFalseHeadersNestedInTheAbandonedFrame(RingKind kind) {
        // An old session's half frame whose payload holds another QTX1 header: reset() alone
        // would leave that one pending; resetAll() drops both, and the new session's frame is
        // decoded as soon as it arrives.
        byte[] old = Wire.concat(Wire.qtx1Header(3000), new byte[] {1, 2, 3}, Wire.qtx1Header(2500), new byte[] {4, 5});
        try (FrameReader reader = kind.reader(MAX)) {
            Wire.Sink sink = new Wire.Sink();
            Wire.feed(reader, sink, old, 4096);
            assertEquals(0, reader.resetAll(sink));
            assertEquals(false, reader.hasPendingFrame());
            assertEquals(2, reader.stats().resyncsAbandoned());
            Wire.feed(reader, sink, Wire.qtx1(A), 4096);
            assertEquals(1, sink.payloads.size());
            assertArrayEquals(A, sink.payloads.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void resetWithNothingPendingDropsNothing(RingKind kind) {
        try (FrameReader reader = kind.reader(MAX)) {
            Wire.Sink sink = new Wire.Sink();
            byte[] f = Wire.qtx1(A);
            Wire.feed(reader, sink, java.util.Arrays.copyOf(f, 3), 4096); // a magic's first bytes only
            assertEquals(false, reader.reset());
            Wire.feed(reader, sink, java.util.Arrays.copyOfRange(f, 3, f.length), 4096);
            assertEquals(1, sink.payloads.size());
            assertEquals(0, reader.stats().bytesSkipped());
        }
    }
}
