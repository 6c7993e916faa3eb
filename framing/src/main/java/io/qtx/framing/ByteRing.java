package io.qtx.framing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Off-heap bytes between a producer and a consumer on one thread, whose readable bytes are
 * always one contiguous run of memory, so a frame can be decoded (or handed to write(2)) in
 * place wherever it lies.
 *
 * <p>Two implementations keep that promise differently: {@link MirroredRing} maps its pages
 * twice back to back, so a run that crosses the end continues in the second mapping;
 * {@link CompactingRing} is one plain segment that moves its unread bytes to the front when
 * the free space at the end runs short. {@link #allocate} picks the first that works here.
 *
 * <p>Producer side: {@link #prepareWrite()} (may move bytes; returns the free contiguous
 * length), then {@link #writeOffset()} or {@link #writable()}, then {@link #commit(int)}.
 * Consumer side: {@link #readOffset()}, {@link #readableBytes()}, {@link #release(int)}.
 * Offsets index {@link #memory()} and are valid until the next {@code prepareWrite()}.
 *
 * <p>Not thread-safe: one thread (the event loop's) uses a ring. The ring owns its memory and
 * frees it on {@link #close()}.
 */
public abstract sealed class ByteRing implements AutoCloseable permits CompactingRing, MirroredRing {

    /** Bytes the ring can hold. */
    protected final int capacity;
    /** Owns the ring's memory; closed by {@link #close()}. */
    protected final Arena arena;
    /** Total bytes ever released: a stream position that survives compaction. */
    protected long releasedTotal;

    protected ByteRing(int capacity, Arena arena) {
        this.capacity = capacity;
        this.arena = arena;
    }

    /**
     * A ring of at least {@code minCapacity} bytes: mirrored where memfd and mmap are available,
     * compacting otherwise.
     */
    public static ByteRing allocate(int minCapacity) {
        ByteRing mirrored = MirroredRing.tryAllocate(minCapacity);
        return mirrored != null ? mirrored : new CompactingRing(minCapacity);
    }

    /** Bytes the ring can hold. */
    public final int capacity() {
        return capacity;
    }

    /** The ring's whole memory; offsets returned by this ring index it. */
    public abstract MemorySegment memory();

    /**
     * A direct ByteBuffer over {@link #memory()}, made once: callers set its position and limit
     * (CRC, protobuf) instead of slicing, so nothing is allocated per frame.
     */
    public abstract ByteBuffer buffer();

    /** Offset in {@link #memory()} of the first unread byte. */
    public abstract long readOffset();

    /** Bytes committed and not yet released; they lie contiguously from {@link #readOffset()}. */
    public abstract int readableBytes();

    /** Marks the first {@code n} readable bytes as consumed. */
    public abstract void release(int n);

    /**
     * Makes the free space after the readable bytes contiguous enough for a producer and returns
     * its length. May move the readable bytes (so re-read {@link #readOffset()} afterwards).
     */
    public final int prepareWrite() {
        return prepareWrite(0);
    }

    /**
     * As {@link #prepareWrite()}, and makes at least {@code needed} bytes contiguous when that
     * many are free.
     */
    public abstract int prepareWrite(int needed);

    /** Offset in {@link #memory()} where the next committed byte goes. */
    public abstract long writeOffset();

    /** Appends the {@code n} bytes the producer put at {@link #writeOffset()}. */
    public abstract void commit(int n);

    /** Free bytes (not necessarily contiguous until {@link #prepareWrite()}). */
    public final int freeBytes() {
        return capacity - readableBytes();
    }

    /**
     * The free region as a segment for a transport to read into, then {@link #commit(int)} what it
     * got. Allocates a slice; a hot loop uses {@link #prepareWrite()} and {@link #writeOffset()}.
     */
    public final MemorySegment writable() {
        int n = prepareWrite();
        return memory().asSlice(writeOffset(), n);
    }

    /**
     * At most {@code maxBytes} of the readable bytes as a segment (a transport writes these, then
     * {@link #release(int)}s what went out).
     */
    public final MemorySegment readable(int maxBytes) {
        return memory().asSlice(readOffset(), Math.min(maxBytes, readableBytes()));
    }

    /** Total bytes ever released: the stream position of {@link #readOffset()}. */
    public final long readPosition() {
        return releasedTotal;
    }

    /** Drops every readable byte. */
    public final void clear() {
        release(readableBytes());
    }

    /** Frees the memory. Idempotent. Offsets and segments obtained before become invalid. */
    @Override
    public final void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** How this ring keeps its readable bytes contiguous, for logs and benchmarks. */
    public abstract String kind();

    protected final void checkCommit(int n, int contiguousFree) {
        if (n < 0 || n > contiguousFree) {
            throw new IllegalArgumentException("commit n=" + n + " free=" + contiguousFree);
        }
    }

    protected final void checkRelease(int n, int readable) {
        if (n < 0 || n > readable) {
            throw new IllegalArgumentException("release n=" + n + " readable=" + readable);
        }
    }
}
