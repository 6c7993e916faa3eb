package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class MirroredRingTest {

    @Test
    void eachByteAppearsAtBothOfItsAddresses() {
        try (MirroredRing ring = MirroredRing.tryAllocate(5000)) {
            int cap = ring.capacity();
            assertEquals(MirroredRing.GRANULE, cap);
            assertEquals(2L * cap, ring.memory().byteSize());
            ValueLayout.OfLong le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
            ring.memory().set(le, cap - 4, 0x0102030405060708L);
            // The long's high half went past the first mapping: it is the ring's first four bytes.
            assertEquals(0x01020304, ring.memory().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0));
            assertEquals(0x0102030405060708L, ring.memory().get(le, cap - 4));
            assertEquals(ring.memory().get(ValueLayout.JAVA_BYTE, cap + 1), ring.memory().get(ValueLayout.JAVA_BYTE, 1));
            ring.memory().set(ValueLayout.JAVA_BYTE, cap + 100, (byte) 42);
            assertEquals(42, ring.memory().get(ValueLayout.JAVA_BYTE, 100));
        }
    }

    @Test
    void closeUnmapsBothHalves() throws java.io.IOException {
        long before = ringMappings();
        MirroredRing ring = MirroredRing.tryAllocate(100_000);
        assertEquals(before + 2, ringMappings(), "two mappings of the memfd while open");
        ring.close();
        assertEquals(before, ringMappings(), "none left after close");
    }

    private static long ringMappings() throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("memfd:qtx-ring")).count();
        }
    }

    @Test
    void aCapacityTooLargeToMirrorFallsBackToCompaction() {
        assertNull(MirroredRing.tryAllocate(Integer.MAX_VALUE - 10));
        assertTrue(MirroredRing.lastFailure().contains("doubled mapping"), MirroredRing.lastFailure());
        try (ByteRing small = ByteRing.allocate(1000)) {
            assertInstanceOf(MirroredRing.class, small);
        }
    }
}
