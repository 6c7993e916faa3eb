package io.qtx.framing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Finds QTX1 and QTX2 frames in the bytes a transport reads into {@link #ring()} and hands each
 * to a {@link FrameHandler} in place.
 *
 * <p>Resync rule: a frame is given up when its length exceeds {@link #maxPayload()}, a QTX2 CRC
 * fails, the handler rejects it, or it is still incomplete at {@link #reset()} or past the stall
 * bound; the reader then drops only that frame's first byte and scans on from the byte after it,
 * so a bogus length never swallows the good frames behind it. Bytes before a magic are skipped.
 *
 * <p>{@link #poll} consumes what the ring holds and returns; it never waits and never loops
 * without consuming. The ring holds one maximum frame, which bounds the reader's memory whatever
 * it is fed. Nothing the input contains makes the reader throw; exceptions come only from
 * misuse (documented per method) or from the handler, which propagate after the frame has been
 * consumed.
 *
 * <p>Single-threaded, like the ring: the event loop that reads the transport polls the reader.
 */
public final class FrameReader implements AutoCloseable {

    /** Default stall bound: how long an incomplete frame may wait for the rest of its bytes. */
    public static final long DEFAULT_STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final ByteRing ring;
    private final int maxPayload;
    private final long stallNanos;
    private final Frame frame;
    private final CRC32C crc = new CRC32C();

    private long frames;
    private long payloadBytes;
    private long bytesSkipped;
    private long resyncsOversize;
    private long resyncsIntegrity;
    private long resyncsDecode;
    private long resyncsAbandoned;

    /** Stream position of the incomplete frame the last poll stopped at, or -1. */
    private long pendingPosition = -1;
    /** Stream position of the incomplete frame the stall clock is timing, or -1. */
    private long stallPosition = -1;
    /** When {@link #expire} first saw the frame at {@link #stallPosition}. */
    private long stallSinceNanos;

    /**
     * A reader with its own ring, sized for one frame of {@code maxPayload} bytes.
     *
     * @param maxPayload largest payload accepted, 0 .. {@link FrameDescriptor#LIMIT_MAX_PAYLOAD}
     * @param stallNanos how long {@link #expire} lets an incomplete frame wait, > 0
     */
    public FrameReader(int maxPayload, long stallNanos) {
        this(ByteRing.allocate(ringCapacity(maxPayload)), maxPayload, stallNanos);
    }

    /** A reader with the default maximum (16 MiB) and stall bound (5 s). */
    public FrameReader() {
        this(FrameDescriptor.DEFAULT_MAX_PAYLOAD, DEFAULT_STALL_NANOS);
    }

    /**
     * A reader over a given ring, which it then owns and closes.
     *
     * @throws IllegalArgumentException if the ring cannot hold one maximum frame
     */
    public FrameReader(ByteRing ring, int maxPayload, long stallNanos) {
        if (maxPayload < 0 || maxPayload > FrameDescriptor.LIMIT_MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload=" + maxPayload);
        }
        if (ring.capacity() < ringCapacity(maxPayload)) {
            throw new IllegalArgumentException("capacity=" + ring.capacity() + " maxPayload=" + maxPayload);
        }
        if (stallNanos <= 0) {
            throw new IllegalArgumentException("stallNanos=" + stallNanos);
        }
        this.ring = ring;
        this.maxPayload = maxPayload;
        this.stallNanos = stallNanos;
        this.frame = new Frame(ring);
    }

    /** The ring size a reader needs for frames of up to {@code maxPayload} bytes. */
    public static int ringCapacity(int maxPayload) {
        return FrameDescriptor.MAX_HEADER_LENGTH + maxPayload;
    }

    /** The ring the transport reads into: {@link ByteRing#writable()}, then {@link ByteRing#commit}. */
    public ByteRing ring() {
        return ring;
    }

    /** Largest payload this reader accepts. */
    public int maxPayload() {
        return maxPayload;
    }

    /** Decodes every complete frame in the ring; see {@link #poll(FrameHandler, int)}. */
    public int poll(FrameHandler handler) {
        return poll(handler, Integer.MAX_VALUE);
    }

    /**
     * Decodes complete frames from the ring, handing each to {@code handler}, until the ring
     * holds no complete frame or {@code maxFrames} were accepted.
     *
     * @return frames accepted by the handler in this call (progress in bytes is in the counters)
     */
    public int poll(FrameHandler handler, int maxFrames) {
        final ByteRing r = ring;
        final MemorySegment m = r.memory();
        final long base = r.readOffset();
        final int total = r.readableBytes();
        // Bytes consumed by this call, released to the ring once at the end: the ring is not
        // touched per frame, and nobody else looks at it while the handler runs.
        int pos = 0;
        int delivered = 0;
        long payload = 0;
        boolean pending = false;
        try {
            while (delivered < maxFrames) {
                final int avail = total - pos;
                if (avail == 0) {
                    break;
                }
                final long at = base + pos;
                // Not at a magic: skip to the next one (or to the start of a magic cut by the end).
                if (avail < FrameDescriptor.MAGIC_LENGTH || !FrameDescriptor.isMagic(FrameDescriptor.getIntBE(m, at))) {
                    int skip = (int) (MagicScanner.find(m, at, at + avail) - at);
                    if (skip == 0) {
                        break; // a magic's first bytes, waiting for the rest
                    }
                    pos += skip;
                    bytesSkipped += skip;
                    continue;
                }
                final int frameLength = checkFrame(m, at, avail);
                if (frameLength == INCOMPLETE) {
                    pending = true;
                    break;
                }
                if (frameLength == BROKEN) {
                    pos = skipMagic(pos);
                    continue;
                }
                // Counted as consumed before the call: if the handler throws, its frame is not
                // delivered again.
                pos += frameLength;
                if (!handler.onFrame(frame)) {
                    resyncsDecode++;
                    pos = skipMagic(pos - frameLength);
                    continue;
                }
                payload += frame.payloadLength();
                delivered++;
            }
        } finally {
            r.release(pos);
            frames += delivered;
            payloadBytes += payload;
        }
        pendingPosition = pending ? r.readPosition() : -1;
        if (pendingPosition != stallPosition) {
            stallPosition = -1;
        }
        return delivered;
    }

    /** {@link #checkFrame}: the frame at hand is not all there yet. */
    private static final int INCOMPLETE = -1;
    /** {@link #checkFrame}: the magic at hand led astray (counted); resync past it. */
    private static final int BROKEN = -2;

    /**
     * Checks the frame whose magic is at {@code at}, with {@code avail} bytes there: its
     * header CRC (QTX2), its length against the maximum, its payload CRC (QTX2). A frame that
     * holds is set into {@link #frame} and its whole length returned; otherwise
     * {@link #INCOMPLETE} or {@link #BROKEN}, with the resync counted.
     */
    private int checkFrame(MemorySegment m, long at, int avail) {
        final boolean v2 = m.get(ValueLayout.JAVA_BYTE, at + 3) == FrameDescriptor.VERSION_2;
        final int headerLength = v2 ? FrameDescriptor.HEADER_LENGTH_V2 : FrameDescriptor.HEADER_LENGTH_V1;
        if (avail < headerLength) {
            return INCOMPLETE;
        }
        if (v2 && crc32c(at, FrameDescriptor.HEADER_CRC_OFFSET)
                != FrameDescriptor.getIntBE(m, at + FrameDescriptor.HEADER_CRC_OFFSET)) {
            resyncsIntegrity++;
            return BROKEN;
        }
        // Unsigned: a length with the top bit set is just a very large one.
        final long length = Integer.toUnsignedLong(FrameDescriptor.getIntBE(m, at + FrameDescriptor.LENGTH_OFFSET));
        if (length > maxPayload) {
            resyncsOversize++;
            return BROKEN;
        }
        final int frameLength = headerLength + (int) length;
        if (avail < frameLength) {
            return INCOMPLETE;
        }
        final long payloadAt = at + headerLength;
        if (v2 && crc32c(payloadAt, (int) length)
                != FrameDescriptor.getIntBE(m, at + FrameDescriptor.PAYLOAD_CRC_OFFSET)) {
            resyncsIntegrity++;
            return BROKEN;
        }
        frame.set(v2 ? FrameDescriptor.VERSION_2 : FrameDescriptor.VERSION_1, payloadAt, (int) length);
        return frameLength;
    }

    /** Gives up the frame whose magic is at {@code pos}: only its first byte is dropped. */
    private int skipMagic(int pos) {
        bytesSkipped++;
        return pos + 1;
    }

    /**
     * Gives up the incomplete frame the reader is waiting on, if any: to be called on every
     * connection transition, since the rest of that frame will never come. The next
     * {@link #poll} scans again from the byte after its magic. Bytes after it are kept.
     *
     * @return true when a frame was abandoned
     */
    public boolean reset() {
        stallPosition = -1;
        if (pendingPosition < 0 || pendingPosition != ring.readPosition()) {
            return false;
        }
        pendingPosition = -1;
        resyncsAbandoned++;
        bytesSkipped++;
        ring.release(1);
        return true;
    }

    /**
     * A connection transition, completely: abandons the pending frame, decodes what follows, and
     * repeats while the bytes already received leave another frame incomplete (a false header
     * in the abandoned frame's payload would otherwise hold up the next session until the stall
     * bound). Every byte in the ring belongs to the old connection, so this ends within them.
     *
     * @return frames the handler accepted on the way
     */
    public int resetAll(FrameHandler handler) {
        int delivered = poll(handler);
        while (reset()) {
            delivered += poll(handler);
        }
        return delivered;
    }

    /**
     * The stall bound: call it now and then (from a timer) with the current
     * {@code System.nanoTime()}. An incomplete frame that has been waiting for longer than the
     * stall bound since the first call that saw it is abandoned as by {@link #reset()}; then
     * {@link #poll} again.
     *
     * @return true when a frame was abandoned
     */
    public boolean expire(long nowNanos) {
        if (pendingPosition < 0 || pendingPosition != ring.readPosition()) {
            stallPosition = -1;
            return false;
        }
        if (stallPosition != pendingPosition) {
            stallPosition = pendingPosition;
            stallSinceNanos = nowNanos;
            return false;
        }
        if (nowNanos - stallSinceNanos < stallNanos) {
            return false;
        }
        return reset();
    }

    /** True when the last poll stopped at an incomplete frame (not at garbage or nothing). */
    public boolean hasPendingFrame() {
        return pendingPosition >= 0 && pendingPosition == ring.readPosition();
    }

    /** The counters now. Call on the reader's thread. */
    public ReaderStats stats() {
        return new ReaderStats(frames, payloadBytes, bytesSkipped, resyncsOversize, resyncsIntegrity,
                resyncsDecode, resyncsAbandoned);
    }

    /** Frames accepted so far; the allocation-free form of {@code stats().frames()}. */
    public long frames() {
        return frames;
    }

    /** Frees the ring. */
    @Override
    public void close() {
        ring.close();
    }

    private int crc32c(long offset, int length) {
        ByteBuffer b = ring.buffer();
        int start = (int) offset;
        b.limit(start + length).position(start);
        CRC32C c = crc;
        c.reset();
        c.update(b);
        return (int) c.getValue();
    }
}
