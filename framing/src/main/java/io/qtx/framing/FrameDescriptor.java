package io.qtx.framing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The bytes of a QTX frame. Both versions share the first eight bytes, so a reader tells them
 * apart by the magic's last byte and needs nothing else to find the payload length.
 *
 * <pre>
 * QTX1: 8-byte header, no integrity check (the seed's format, always accepted)
 *
 *   0        1        2        3        4        5        6        7        8
 *  +--------+--------+--------+--------+--------+--------+--------+--------+----------
 *  |  0x51  |  0x54  |  0x58  |  0x01  |   payload length, u32 big-endian  | payload
 *  |  'Q'   |  'T'   |  'X'   | version|   (0 .. reader's max payload)     | ...
 *  +--------+--------+--------+--------+--------+--------+--------+--------+----------
 *
 * QTX2: 16-byte header, CRC32C (Castagnoli) over the header and over the payload
 *
 *   0        1        2        3        4        5        6        7
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  |  0x51  |  0x54  |  0x58  |  0x02  |   payload length, u32 big-endian  |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  |  CRC32C of the payload, u32 BE    |  CRC32C of bytes 0..11, u32 BE    |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  16: payload ...
 * </pre>
 *
 * <p>The header CRC lets a reader reject a false QTX2 header (magic bytes that happen to occur
 * in garbage or in an old session's payload) as soon as 16 bytes are there, instead of
 * waiting for a length's worth of bytes that may never come. The payload CRC is what makes a
 * frame spliced from two sessions, or cut from a stream that lost bytes, impossible to deliver.
 * The header CRC covers the payload CRC, so the two cannot be swapped or shifted unnoticed.
 */
public final class FrameDescriptor {

    /** The three bytes every magic starts with, "QTX", as the top of a big-endian int. */
    public static final int MAGIC_PREFIX = 0x51_54_58_00;
    /** Mask that keeps {@link #MAGIC_PREFIX}'s bytes of a big-endian int. */
    public static final int MAGIC_PREFIX_MASK = 0xFF_FF_FF_00;
    /** The first magic byte, the one the scanner looks for. */
    public static final byte MAGIC_FIRST_BYTE = 0x51;
    /** Bytes in a magic. */
    public static final int MAGIC_LENGTH = 4;

    /** Version byte (and last magic byte) of a QTX1 frame. */
    public static final byte VERSION_1 = 0x01;
    /** Version byte (and last magic byte) of a QTX2 frame. */
    public static final byte VERSION_2 = 0x02;

    /** The QTX1 magic as a big-endian int. */
    public static final int MAGIC_QTX1 = MAGIC_PREFIX | VERSION_1;
    /** The QTX2 magic as a big-endian int. */
    public static final int MAGIC_QTX2 = MAGIC_PREFIX | VERSION_2;

    /** Offset of the payload length (both versions). */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the payload CRC32C (QTX2). */
    public static final int PAYLOAD_CRC_OFFSET = 8;
    /** Offset of the header CRC32C (QTX2); it covers bytes [0, {@value}). */
    public static final int HEADER_CRC_OFFSET = 12;

    /** Header length of QTX1; its payload starts here. */
    public static final int HEADER_LENGTH_V1 = 8;
    /** Header length of QTX2; its payload starts here. */
    public static final int HEADER_LENGTH_V2 = 16;
    /** The longest header, for sizing buffers. */
    public static final int MAX_HEADER_LENGTH = HEADER_LENGTH_V2;

    /** A reader's default maximum payload: 16 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD = 16 << 20;
    /**
     * The largest maximum payload a reader or writer can be configured with. Keeps the ring (and
     * a mirrored ring's doubled mapping) addressable by an int-indexed ByteBuffer.
     */
    public static final int LIMIT_MAX_PAYLOAD = 256 << 20;

    /** A virtio-serial port takes at most this many bytes per write(2). */
    public static final int MAX_WRITE_CHUNK = 32 << 10;

    /** Big-endian int, unaligned: how every multi-byte header field is stored. */
    static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private FrameDescriptor() {
    }

    /** True when {@code magic} (four bytes read as a big-endian int) starts a frame this code reads. */
    public static boolean isMagic(int magic) {
        return magic == MAGIC_QTX1 || magic == MAGIC_QTX2;
    }

    /** Header length of the frame version {@code version}; only 1 and 2 exist. */
    public static int headerLength(byte version) {
        return switch (version) {
            case VERSION_1 -> HEADER_LENGTH_V1;
            case VERSION_2 -> HEADER_LENGTH_V2;
            default -> throw new IllegalArgumentException("version=" + version);
        };
    }

    /** Reads the four bytes at {@code offset} as a big-endian int (magic, length or CRC). */
    public static int getIntBE(MemorySegment segment, long offset) {
        return segment.get(INT_BE, offset);
    }

    /** Writes a big-endian int at {@code offset}. */
    public static void putIntBE(MemorySegment segment, long offset, int value) {
        segment.set(INT_BE, offset, value);
    }
}
