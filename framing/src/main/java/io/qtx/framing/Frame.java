package io.qtx.framing;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One frame as it lies in a reader's ring: a flyweight that the reader re-points for every frame,
 * so handing a frame over allocates nothing. Valid only during {@link FrameHandler#onFrame}.
 */
public final class Frame {

    private final ByteRing ring;
    private byte version;
    private long payloadOffset;
    private int payloadLength;

    Frame(ByteRing ring) {
        this.ring = ring;
    }

    void set(byte version, long payloadOffset, int payloadLength) {
        this.version = version;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
    }

    /** {@link FrameDescriptor#VERSION_1} or {@link FrameDescriptor#VERSION_2}. */
    public byte version() {
        return version;
    }

    /** True for a QTX2 frame, whose payload passed its CRC32C. */
    public boolean verified() {
        return version == FrameDescriptor.VERSION_2;
    }

    /** The ring's memory, which {@link #payloadOffset()} indexes. */
    public MemorySegment memory() {
        return ring.memory();
    }

    /** Offset of the payload's first byte in {@link #memory()}. */
    public long payloadOffset() {
        return payloadOffset;
    }

    /** Payload length in bytes (may be 0). */
    public int payloadLength() {
        return payloadLength;
    }

    /** The payload as a segment slice. Allocates the slice; {@link #payloadBuffer()} does not. */
    public MemorySegment payload() {
        return ring.memory().asSlice(payloadOffset, payloadLength);
    }

    /**
     * The ring's shared ByteBuffer with its position and limit set to the payload: hand it to
     * {@code CodedInputStream.newInstance} to parse in place. Shared by every frame of the
     * reader: do not keep it.
     */
    public ByteBuffer payloadBuffer() {
        ByteBuffer b = ring.buffer();
        int start = (int) payloadOffset;
        b.limit(start + payloadLength).position(start);
        return b;
    }
}
