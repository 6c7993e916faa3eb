package io.qtx.framing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A ring that is one plain off-heap segment: unread bytes sit in {@code [read, write)}, and when
 * the space after them runs short they are moved to the front. The bytes moved are the tail of a
 * partial frame (frames are consumed as soon as they are complete), so copies are short and rare.
 */
public final class CompactingRing extends ByteRing {

    private final MemorySegment memory;
    private final ByteBuffer buffer;
    /** Offset of the first unread byte. */
    private int read;
    /** Offset one past the last unread byte. */
    private int write;

    public CompactingRing(int capacity) {
        super(checkCapacity(capacity), Arena.ofShared());
        this.memory = arena.allocate(capacity, 64);
        this.buffer = memory.asByteBuffer();
    }

    private static int checkCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity=" + capacity);
        }
        return capacity;
    }

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
        return read;
    }

    @Override
    public int readableBytes() {
        return write - read;
    }

    @Override
    public void release(int n) {
        checkRelease(n, write - read);
        read += n;
        releasedTotal += n;
        if (read == write) {
            // Empty: start over at the front for free, no bytes to move.
            read = 0;
            write = 0;
        }
    }

    @Override
    public int prepareWrite(int needed) {
        final int r = read;
        final int tailFree = capacity - write;
        // Move once the space at the end is below a quarter of the ring: the moved bytes are then
        // at most what arrived since the last move, so the cost stays linear in the input.
        if (r > 0 && (tailFree < (capacity >>> 2) || tailFree < needed)) {
            int n = write - r;
            MemorySegment.copy(memory, r, memory, 0, n);
            read = 0;
            write = n;
        }
        return capacity - write;
    }

    @Override
    public long writeOffset() {
        return write;
    }

    @Override
    public void commit(int n) {
        checkCommit(n, capacity - write);
        write += n;
    }

    @Override
    public String kind() {
        return "compacting";
    }
}
