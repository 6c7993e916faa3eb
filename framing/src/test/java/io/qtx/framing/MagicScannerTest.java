package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.api.Test;

class MagicScannerTest {

    /** The obvious byte-by-byte definition the fast scanner must agree with. */
    private static long naive(byte[] b, int from, int to) {
        outer:
        for (int p = from; p < to; p++) {
            for (int i = 0; i < 4 && p + i < to; i++) {
                byte v = b[p + i];
                boolean ok = i < 3 ? v == "QTX".charAt(i) : v == 1 || v == 2;
                if (!ok) {
                    continue outer;
                }
            }
            return p;
        }
        return to;
    }

    private static long fast(Arena arena, byte[] b, int from, int to) {
        MemorySegment m = arena.allocate(b.length + 1).asSlice(1, b.length); // unaligned on purpose
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
        return MagicScanner.find(m, from, to);
    }

    @Test
    void findsAMagicAtEveryOffsetAndEveryCutOfIt() {
        try (Arena arena = Arena.ofConfined()) {
            for (int len = 0; len <= 80; len++) {
                for (int at = 0; at + 1 <= len; at++) {
                    byte[] b = new byte[len];
                    java.util.Arrays.fill(b, (byte) 0x51); // every byte a candidate, none a magic
                    byte[] magic = {0x51, 0x54, 0x58, (byte) (at % 2 + 1)};
                    int n = Math.min(4, len - at);
                    System.arraycopy(magic, 0, b, at, n);
                    // Only a trailing 0x51 run can look like a cut magic; compare with the definition.
                    assertEquals(naive(b, 0, len), fast(arena, b, 0, len), "len=" + len + " at=" + at);
                }
            }
        }
    }

    @Test
    void agreesWithTheDefinitionOnRandomAndMagicRichBytes() {
        Random r = new Random(42);
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 3000; round++) {
                byte[] b = new byte[r.nextInt(200)];
                for (int i = 0; i < b.length; i++) {
                    // Bias toward the magic's bytes so near-misses are frequent.
                    b[i] = switch (r.nextInt(6)) {
                        case 0 -> 0x51;
                        case 1 -> 0x54;
                        case 2 -> 0x58;
                        case 3 -> (byte) (1 + r.nextInt(3));
                        default -> (byte) r.nextInt(256);
                    };
                }
                int from = b.length == 0 ? 0 : r.nextInt(b.length);
                int to = from + (b.length == from ? 0 : r.nextInt(b.length - from + 1));
                assertEquals(naive(b, from, to), fast(arena, b, from, to), "round=" + round);
            }
        }
    }

    @Test
    void returnsTheEndWhenThereIsNoMagic() {
        byte[] b = new byte[1000];
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(1000, fast(arena, b, 0, 1000));
            assertEquals(10, fast(arena, b, 10, 10));
        }
    }

    @Test
    void aVersionOtherThanOneOrTwoIsNotAMagic() {
        byte[] b = {0x51, 0x54, 0x58, 0x03, 0x51, 0x54, 0x58, 0x00, 0, 0, 0, 0};
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(b.length, fast(arena, b, 0, b.length));
        }
    }
}
