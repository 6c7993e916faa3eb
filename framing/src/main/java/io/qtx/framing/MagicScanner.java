package io.qtx.framing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Finds the next frame magic, eight bytes at a time (SWAR): each 64-bit word is tested for a
 * 0x51 byte with the classic "has zero byte" bit trick, and only the few words that have one are
 * looked at byte by byte. Four words per step keep the loop's one branch well predicted on
 * random input, where a 0x51 turns up once every 256 bytes.
 */
public final class MagicScanner {

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long FIRST = ONES * (FrameDescriptor.MAGIC_FIRST_BYTE & 0xFF);

    private MagicScanner() {
    }

    /**
     * The offset of the first magic in {@code [from, to)} of {@code m}: the first {@code p} whose
     * four bytes are a QTX1 or QTX2 magic or, within the last three bytes, whose bytes up to
     * {@code to} are the start of one (a magic cut by the end of what has arrived so far).
     *
     * @return that offset, or {@code to} when there is none, so everything before the result can
     *     be skipped
     */
    public static long find(MemorySegment m, long from, long to) {
        long p = from;
        // Whole 32-byte steps while four words fit.
        final long last32 = to - 32;
        while (p <= last32) {
            long a = matches(m.get(LONG_LE, p));
            long b = matches(m.get(LONG_LE, p + 8));
            long c = matches(m.get(LONG_LE, p + 16));
            long d = matches(m.get(LONG_LE, p + 24));
            if ((a | b | c | d) != 0) {
                long q = firstMagic(m, p, a, to);
                if (q < 0) {
                    q = firstMagic(m, p + 8, b, to);
                }
                if (q < 0) {
                    q = firstMagic(m, p + 16, c, to);
                }
                if (q < 0) {
                    q = firstMagic(m, p + 24, d, to);
                }
                if (q >= 0) {
                    return q;
                }
            }
            p += 32;
        }
        final long last8 = to - 8;
        while (p <= last8) {
            long a = matches(m.get(LONG_LE, p));
            if (a != 0) {
                long q = firstMagic(m, p, a, to);
                if (q >= 0) {
                    return q;
                }
            }
            p += 8;
        }
        while (p < to) {
            if (m.get(ValueLayout.JAVA_BYTE, p) == FrameDescriptor.MAGIC_FIRST_BYTE && magicAt(m, p, to)) {
                return p;
            }
            p++;
        }
        return to;
    }

    /**
     * A word with the high bit set in each byte that may be 0x51. The lowest flagged byte is
     * always a true match; a higher one can be a false alarm (a borrow), which
     * {@link #firstMagic} rules out anyway.
     */
    private static long matches(long word) {
        long v = word ^ FIRST;
        return (v - ONES) & ~v & HIGHS;
    }

    /** The first flagged byte of the word at {@code base} that starts a magic, or -1. */
    private static long firstMagic(MemorySegment m, long base, long flags, long to) {
        while (flags != 0) {
            long q = base + (Long.numberOfTrailingZeros(flags) >>> 3);
            if (magicAt(m, q, to)) {
                return q;
            }
            flags &= flags - 1;
        }
        return -1;
    }

    /** True when the bytes from {@code q} (cut at {@code to}) are a magic or the start of one. */
    static boolean magicAt(MemorySegment m, long q, long to) {
        long n = to - q;
        if (n >= FrameDescriptor.MAGIC_LENGTH) {
            return FrameDescriptor.isMagic(FrameDescriptor.getIntBE(m, q));
        }
        // Fewer than four bytes left: compare what there is against the magic's start.
        for (int i = 0; i < n; i++) {
            byte got = m.get(ValueLayout.JAVA_BYTE, q + i);
            if (i < 3) {
                if (got != (byte) (FrameDescriptor.MAGIC_PREFIX >>> (24 - 8 * i))) {
                    return false;
                }
            } else if (got != FrameDescriptor.VERSION_1 && got != FrameDescriptor.VERSION_2) {
                return false;
            }
        }
        return true;
    }
}
