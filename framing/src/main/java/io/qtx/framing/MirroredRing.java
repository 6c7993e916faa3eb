package io.qtx.framing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.SharedMemory;

/**
 * A ring whose pages are mapped twice, back to back: byte {@code i} of the first mapping is also
 * byte {@code capacity + i}. The unread bytes starting anywhere in the first mapping therefore
 * continue, without a copy, into the second, and a frame that straddles the wrap point is one
 * contiguous run.
 *
 * <p>Built from a memfd sized to the capacity, mapped {@code MAP_SHARED|MAP_FIXED} twice over a
 * reservation of twice the size, through ffi's checked {@link SharedMemory}. Where that fails
 * (no memfd, an odd page size, address space) {@link #tryAllocate} returns null, keeps the
 * call and errno in {@link #lastFailure()}, and {@link ByteRing#allocate} falls back to
 * compaction.
 */
public final class MirroredRing extends ByteRing {

    /**
     * Capacities are rounded up to this: a multiple of every page size Linux uses for ordinary
     * mappings (4, 16 and 64 KiB), so the second mapping starts on a page boundary.
     */
    static final int GRANULE = 64 << 10;

    /** Why the last {@link #tryAllocate} made no ring: the call, its argument and errno. */
    private static volatile String lastFailure;

    private final MemorySegment memory;
    private final ByteBuffer buffer;
    /** Offset of the first unread byte, always in [0, capacity). */
    private int head;
    /** Unread bytes. */
    private int size;

    private MirroredRing(int capacity, long base) {
        super(capacity, Arena.ofShared());
        long length = 2L * capacity;
        this.memory = MemorySegment.ofAddress(base).reinterpret(length, arena, m -> unmap(base, length));
        this.buffer = memory.asByteBuffer();
    }

    /** The capacity a mirrored ring of at least {@code minCapacity} bytes gets. */
    static long roundedCapacity(int minCapacity) {
        return ((long) Math.max(minCapacity, 1) + GRANULE - 1) / GRANULE * GRANULE;
    }

    /** A mirrored ring of at least {@code minCapacity} bytes, or null where one cannot be made. */
    public static MirroredRing tryAllocate(int minCapacity) {
        long capacity = roundedCapacity(minCapacity);
        if (2 * capacity > Integer.MAX_VALUE) {
            lastFailure = "capacity " + capacity + ": the doubled mapping must stay addressable by one ByteBuffer";
            return null;
        }
        try {
            return map((int) capacity);
        } catch (NativeException e) {
            lastFailure = e.getMessage();
            return null;
        }
    }

    /** Why the last {@link #tryAllocate} returned null (e.g. {@code "mmap(...): ENOMEM (...)"}), or null. */
    public static String lastFailure() {
        return lastFailure;
    }

    private static MirroredRing map(int capacity) throws NativeException {
        // The mappings keep the memory; the descriptor is not needed past this method.
        try (Fd memfd = SharedMemory.memfd("qtx-ring", capacity)) {
            long base = SharedMemory.reserve(2L * capacity);
            try {
                SharedMemory.mapFixed(base, capacity, memfd);
                SharedMemory.mapFixed(base + capacity, capacity, memfd);
            } catch (NativeException e) {
                unmap(base, 2L * capacity);
                throw e;
            }
            return new MirroredRing(capacity, base);
        }
    }

    private static void unmap(long base, long length) {
        try {
            SharedMemory.unmap(base, length);
        } catch (NativeException e) {
            // munmap fails only on arguments that were never a mapping of ours: a bug, not a state.
            throw new IllegalStateException("unmapping the mirrored ring", e);
        }
    }

    /** The whole doubled mapping: offsets up to {@code 2 * capacity()}. */
    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public ByteBuffer buffer() {
        return buffer;
    }

    @Override
    public long readOffset() {
        return head;
    }

    @Override
    public int readableBytes() {
        return size;
    }

    @Override
    public void release(int n) {
        checkRelease(n, size);
        int h = head + n;
        head = h >= capacity ? h - capacity : h;
        size -= n;
        releasedTotal += n;
        if (size == 0) {
            // Start over at the front whenever the ring empties: a connection that only ever
            // holds a few small frames then touches only the ring's first pages, instead of
            // walking through (and keeping resident) all of it. qx-node holds a thousand rings.
            head = 0;
        }
    }

    @Override
    public int prepareWrite(int needed) {
        // Always all of it: the free bytes run on into the second mapping.
        return capacity - size;
    }

    @Override
    public long writeOffset() {
        return (long) head + size;
    }

    @Override
    public void commit(int n) {
        checkCommit(n, capacity - size);
        size += n;
    }

    @Override
    public String kind() {
        return "mirrored";
    }
}
