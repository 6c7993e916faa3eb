package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

/** The checked memfd and mapping calls: what they map, and failures that name the call and errno. */
class SharedMemoryTest {

    private static final long SIZE = 64 << 10;

    @Test
    void aMemfdMappedTwiceShowsTheSameBytesInBothPlaces() throws NativeException {
        try (Fd memfd = SharedMemory.memfd("qtx-test", SIZE)) {
            long base = SharedMemory.reserve(2 * SIZE);
            try {
                SharedMemory.mapFixed(base, SIZE, memfd);
                SharedMemory.mapFixed(base + SIZE, SIZE, memfd);
                MemorySegment both = MemorySegment.ofAddress(base).reinterpret(2 * SIZE);
                both.set(ValueLayout.JAVA_BYTE, 5, (byte) 42);
                assertEquals(42, both.get(ValueLayout.JAVA_BYTE, SIZE + 5));
            } finally {
                SharedMemory.unmap(base, 2 * SIZE);
            }
        }
    }

    @Test
    void failuresNameTheCallAndTheErrno() throws NativeException {
        NativeException unaligned = assertThrows(NativeException.class, () -> SharedMemory.unmap(1, SIZE));
        assertTrue(unaligned.getMessage().startsWith("munmap(") && unaligned.getMessage().contains("EINVAL"),
                unaligned.getMessage());
        NativeException huge = assertThrows(NativeException.class, () -> SharedMemory.reserve(Long.MAX_VALUE));
        assertTrue(huge.getMessage().startsWith("mmap(") && huge.getMessage().contains("ENOMEM"), huge.getMessage());
        Fd closed = SharedMemory.memfd("qtx-test", SIZE);
        closed.close();
        assertThrows(ClosedFdException.class, () -> SharedMemory.mapFixed(0, SIZE, closed));
    }
}
