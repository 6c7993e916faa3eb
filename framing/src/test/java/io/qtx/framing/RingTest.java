package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RingTest {

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void bytesComeOutInOrderAndContiguousWhateverTheOffsets(RingKind kind) {
        Random r = new Random(1);
        try (ByteRing ring = kind.make(5000)) {
            int cap = ring.capacity();
            assertTrue(cap >= 5000);
            long written = 0;
            long read = 0;
            for (int step = 0; step < 20_000; step++) {
                if (r.nextBoolean()) {
                    int wanted = r.nextInt(ring.freeBytes() + 1);
                    int free = ring.prepareWrite(wanted);
                    assertTrue(free >= wanted, "prepareWrite(" + wanted + ") made only " + free + " contiguous");
                    int n = r.nextInt(free + 1);
                    MemorySegment w = ring.memory().asSlice(ring.writeOffset(), n);
                    for (int i = 0; i < n; i++) {
                        w.set(ValueLayout.JAVA_BYTE, i, (byte) (written + i));
                    }
                    ring.commit(n);
                    written += n;
                } else {
                    int n = r.nextInt(ring.readableBytes() + 1);
                    MemorySegment d = ring.readable(n);
                    assertEquals(n, d.byteSize());
                    for (int i = 0; i < n; i++) {
                        assertEquals((byte) (read + i), d.get(ValueLayout.JAVA_BYTE, i), "byte " + (read + i));
                    }
                    ring.release(n);
                    read += n;
                    assertEquals(read, ring.readPosition());
                }
                assertEquals(written - read, ring.readableBytes());
            }
            assertTrue(written > 10L * cap, "the test wrapped the ring many times");
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void misuseIsRefused(RingKind kind) {
        try (ByteRing ring = kind.make(4096)) {
            int free = ring.prepareWrite();
            assertThrows(IllegalArgumentException.class, () -> ring.commit(free + 1));
            assertThrows(IllegalArgumentException.class, () -> ring.commit(-1));
            ring.commit(10);
            assertThrows(IllegalArgumentException.class, () -> ring.release(11));
            ring.clear();
            assertEquals(0, ring.readableBytes());
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void closeIsIdempotent(RingKind kind) {
        ByteRing ring = kind.make(4096);
        MemorySegment memory = ring.memory();
        assertTrue(memory.scope().isAlive());
        ring.close();
        assertFalse(memory.scope().isAlive(), "the first close frees the memory");
        assertDoesNotThrow(ring::close, "a second close is a no-op");
        assertThrows(IllegalStateException.class, () -> memory.get(ValueLayout.JAVA_BYTE, 0),
                "nothing reads freed memory");
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void aRingThatEmptiesStartsOverAtTheFrontSoItsLaterPagesStayUntouched(RingKind kind) {
        try (ByteRing ring = kind.make(64 * 1024)) {
            long base = ring.writeOffset();
            for (int i = 0; i < 10_000; i++) {
                ring.prepareWrite(300);
                ring.commit(300);
                ring.release(300);
                assertEquals(base, ring.writeOffset(), "emptied after " + (i + 1) + " small frames");
            }
            assertEquals(3_000_000, ring.readPosition(), "stream positions still count every byte");
        }
    }
}
