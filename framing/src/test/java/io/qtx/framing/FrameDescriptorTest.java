package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

/** The constants and the README's byte-by-byte description agree, with golden bytes. */
class FrameDescriptorTest {

    @Test
    void magicsAndOffsetsAreTheDocumentedBytes() {
        assertEquals(0x51545801, FrameDescriptor.MAGIC_QTX1);
        assertEquals(0x51545802, FrameDescriptor.MAGIC_QTX2);
        assertEquals(4, FrameDescriptor.LENGTH_OFFSET);
        assertEquals(8, FrameDescriptor.PAYLOAD_CRC_OFFSET);
        assertEquals(12, FrameDescriptor.HEADER_CRC_OFFSET);
        assertEquals(8, FrameDescriptor.headerLength(FrameDescriptor.VERSION_1));
        assertEquals(16, FrameDescriptor.headerLength(FrameDescriptor.VERSION_2));
        assertThrows(IllegalArgumentException.class, () -> FrameDescriptor.headerLength((byte) 3));
        assertEquals(16 << 20, FrameDescriptor.DEFAULT_MAX_PAYLOAD);
        assertEquals(32 << 10, FrameDescriptor.MAX_WRITE_CHUNK);
    }

    @Test
    void crc32cIsCastagnoliWithItsStandardCheckValue() {
        CRC32C c = new CRC32C();
        c.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xE3069283L, c.getValue());
    }

    @Test
    void aPingInBothVersionsIsExactlyTheseBytes() {
        // Envelope{id: 1, ping: {}}; protocol's ProtoFramesTest checks that a Ping encodes to it.
        MemorySegment ping = MemorySegment.ofArray(HexFormat.of().parseHex("08016200"));
        byte[] qtx1 = HexFormat.of().parseHex("5154580100000004" + "08016200");
        byte[] qtx2 = HexFormat.of().parseHex("5154580200000004" + "bcbbafb7" + "c8dd0d6a" + "08016200");
        try (FrameWriter w = new FrameWriter(1 << 16, 1 << 10)) {
            w.offer(ping, 0);
            w.frameVersion(FrameDescriptor.VERSION_2);
            w.offer(ping, 0);
            MemorySegment out = w.readable(w.chunkLength());
            assertArrayEquals(Wire.concat(qtx1, qtx2), out.toArray(ValueLayout.JAVA_BYTE));
        }
        assertArrayEquals(qtx1, Wire.qtx1(ping.toArray(ValueLayout.JAVA_BYTE)));
        assertArrayEquals(qtx2, Wire.qtx2(ping.toArray(ValueLayout.JAVA_BYTE)));
    }
}
