package io.qtx.sim;

/** A byte pattern whose every position can be checked, so a lost, repeated or reordered byte shows. */
final class Bytes {

    private Bytes() {
    }

    /** {@code n} bytes of the pattern seeded with {@code seed}, starting at stream offset {@code from}. */
    static byte[] pattern(int seed, long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = at(seed, from + i);
        }
        return b;
    }

    static byte at(int seed, long offset) {
        return (byte) (seed + offset % 251);
    }

    /** Fails naming the first offset where {@code actual} leaves the pattern. */
    static void assertPattern(int seed, long from, byte[] actual) {
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != at(seed, from + i)) {
                throw new AssertionError("seed=" + seed + " byte at offset " + (from + i) + " is " + actual[i]
                        + ", expected " + at(seed, from + i));
            }
        }
    }
}
