package io.qtx.framing;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Serialises frames (header and payload) straight into an off-heap ring, and hands the transport
 * what is ready in chunks of at most {@link FrameDescriptor#MAX_WRITE_CHUNK} bytes.
 *
 * <p>The ring is the bounded queue: {@link #offer} returns false instead of growing when a frame
 * does not fit, and a daemon then drops telemetry. {@code keepFree} lets low-priority frames
 * leave room for replies.
 *
 * <p>Transport side: {@link #chunkOffset()} / {@link #chunkLength()} (or {@link #readable(int)}),
 * write(2) those bytes, then {@link #consumed(int)} with what went out; a short write continues
 * from there on the next call. Single-threaded.
 */
public final class FrameWriter implements AutoCloseable {

    private final ByteRing ring;
    private final int maxPayload;
    private final CRC32C crc = new CRC32C();
    private byte version = FrameDescriptor.VERSION_1;

    private long framesQueued;
    private long framesRefused;
    private long bytesWritten;

    /**
     * A writer whose queue holds {@code capacity} bytes of frames.
     *
     * @param capacity queue size in bytes; at least one frame of {@code maxPayload}
     * @param maxPayload largest payload the peer accepts (its Hello says so)
     */
    public FrameWriter(int capacity, int maxPayload) {
        if (maxPayload < 0 || maxPayload > FrameDescriptor.LIMIT_MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload=" + maxPayload);
        }
        if (capacity < FrameReader.ringCapacity(maxPayload)) {
            throw new IllegalArgumentException("capacity=" + capacity + " maxPayload=" + maxPayload);
        }
        this.ring = ByteRing.allocate(capacity);
        this.maxPayload = maxPayload;
    }

    /** The frame version written from now on: QTX1 until the handshake agrees on QTX2. */
    public void frameVersion(byte v) {
        FrameDescriptor.headerLength(v);
        this.version = v;
    }

    /** The frame version being written. */
    public byte frameVersion() {
        return version;
    }

    /**
     * Writes one payload, whose size the caller knew before asking for room, straight into the
     * frame's space: the protocol module serialises its messages this way, and framing never
     * learns what a payload is.
     */
    @FunctionalInterface
    public interface PayloadEncoder<T> {
        /** Fills {@code into} from its position to its limit: exactly the size given to offer. */
        void encode(T payload, ByteBuffer into);
    }

    /**
     * Queues {@code payload} as one frame of {@code size} bytes, written by {@code encoder}, if it
     * fits and leaves {@code keepFree} bytes free.
     *
     * @return false (and nothing queued) when the queue is too full
     * @throws IllegalArgumentException when {@code size} is larger than the peer's maximum
     */
    public <T> boolean offer(T payload, int size, PayloadEncoder<? super T> encoder, int keepFree) {
        final long payloadAt = reserve(size, keepFree);
        if (payloadAt < 0) {
            return false;
        }
        ByteBuffer b = ring.buffer();
        b.limit((int) payloadAt + size).position((int) payloadAt);
        encoder.encode(payload, b);
        finish(payloadAt, size);
        return true;
    }

    /** Queues {@code payload} (opaque bytes) as one frame if it fits. */
    public boolean offer(MemorySegment payload, int keepFree) {
        if (payload.byteSize() > maxPayload) {
            throw new IllegalArgumentException("payload=" + payload.byteSize() + " maxPayload=" + maxPayload);
        }
        final int size = (int) payload.byteSize();
        final long payloadAt = reserve(size, keepFree);
        if (payloadAt < 0) {
            return false;
        }
        MemorySegment.copy(payload, 0, ring.memory(), payloadAt, size);
        finish(payloadAt, size);
        return true;
    }

    private long reserve(int size, int keepFree) {
        if (size > maxPayload) {
            throw new IllegalArgumentException("payload=" + size + " maxPayload=" + maxPayload);
        }
        final int headerLength = version == FrameDescriptor.VERSION_2
                ? FrameDescriptor.HEADER_LENGTH_V2 : FrameDescriptor.HEADER_LENGTH_V1;
        final int need = headerLength + size;
        if ((long) need + Math.max(0, keepFree) > ring.freeBytes()) {
            framesRefused++;
            return -1;
        }
        ring.prepareWrite(need);
        final long at = ring.writeOffset();
        final MemorySegment m = ring.memory();
        FrameDescriptor.putIntBE(m, at, FrameDescriptor.MAGIC_PREFIX | version);
        FrameDescriptor.putIntBE(m, at + FrameDescriptor.LENGTH_OFFSET, size);
        return at + headerLength;
    }

    private void finish(long payloadAt, int size) {
        final MemorySegment m = ring.memory();
        int headerLength;
        if (version == FrameDescriptor.VERSION_2) {
            headerLength = FrameDescriptor.HEADER_LENGTH_V2;
            long at = payloadAt - headerLength;
            FrameDescriptor.putIntBE(m, at + FrameDescriptor.PAYLOAD_CRC_OFFSET, crc32c(payloadAt, size));
            FrameDescriptor.putIntBE(m, at + FrameDescriptor.HEADER_CRC_OFFSET, crc32c(at, FrameDescriptor.HEADER_CRC_OFFSET));
        } else {
            headerLength = FrameDescriptor.HEADER_LENGTH_V1;
        }
        ring.commit(headerLength + size);
        framesQueued++;
    }

    private int crc32c(long offset, int length) {
        ByteBuffer b = ring.buffer();
        b.limit((int) offset + length).position((int) offset);
        crc.reset();
        crc.update(b);
        return (int) crc.getValue();
    }

    /** Bytes queued and not yet consumed by the transport. */
    public int pendingBytes() {
        return ring.readableBytes();
    }

    /** Bytes a frame may still take, keepFree included. */
    public int freeBytes() {
        return ring.freeBytes();
    }

    /** Offset in {@link #memory()} of the next bytes to write to the transport. */
    public long chunkOffset() {
        return ring.readOffset();
    }

    /** How many bytes to write next: at most {@link FrameDescriptor#MAX_WRITE_CHUNK}; 0 when idle. */
    public int chunkLength() {
        return Math.min(ring.readableBytes(), FrameDescriptor.MAX_WRITE_CHUNK);
    }

    /** The writer's memory, indexed by {@link #chunkOffset()}. */
    public MemorySegment memory() {
        return ring.memory();
    }

    /** The next bytes to write, at most {@code maxBytes} and at most 32 KiB. Allocates a slice. */
    public MemorySegment readable(int maxBytes) {
        return ring.readable(Math.min(maxBytes, FrameDescriptor.MAX_WRITE_CHUNK));
    }

    /**
     * Records that the transport wrote {@code n} bytes from {@link #chunkOffset()}.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than is pending
     */
    public void consumed(int n) {
        ring.release(n);
        bytesWritten += n;
    }

    /** Drops everything queued, e.g. on a connection transition (the peer would discard it). */
    public void clear() {
        ring.clear();
    }

    /** Frames queued so far. */
    public long framesQueued() {
        return framesQueued;
    }

    /** Frames refused because the queue was full. */
    public long framesRefused() {
        return framesRefused;
    }

    /** Bytes handed to the transport so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public void close() {
        ring.close();
    }
}
