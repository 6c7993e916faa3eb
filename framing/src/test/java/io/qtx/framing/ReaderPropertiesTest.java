package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random frame streams, random cuts, random corruption. */
class ReaderPropertiesTest {

    private static final int MAX = 2048;

    /** One frame and what happens to it on the way. */
    record Item(int version, byte[] payload, Damage damage, int where, int mask, byte[] garbage) {
    }

    enum Damage { NONE, FLIP, TRUNCATE, GARBAGE_BEFORE }

    @Provide
    Arbitrary<List<Item>> cleanStreams() {
        return item(Arbitraries.just(Damage.NONE)).list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<Item>> damagedStreams() {
        return item(Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Damage.NONE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Damage.FLIP)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Damage.TRUNCATE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Damage.GARBAGE_BEFORE)))).list().ofMaxSize(30);
    }

    private static Arbitrary<Item> item(Arbitrary<Damage> damage) {
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX)));
        return Combinators.combine(Arbitraries.integers().between(1, 2), payload, damage,
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(1, 255),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300))
                .as(Item::new);
    }

    private static byte[] wire(Item it) {
        byte[] f = Wire.frame(it.version(), it.payload());
        return switch (it.damage()) {
            case NONE -> f;
            case FLIP -> {
                int i = it.where() % f.length;
                int mask = it.mask();
                // Turning a QTX2 magic into QTX1 would make an unprotected frame out of a damaged
                // one; the property is about what CRCs catch, so keep the version byte invalid.
                if (i == 3 && ((f[3] ^ mask) == 1 || (f[3] ^ mask) == 2)) {
                    mask = 0x80;
                }
                f[i] ^= (byte) mask;
                yield f;
            }
            case TRUNCATE -> java.util.Arrays.copyOf(f, 1 + it.where() % (f.length - 1));
            case GARBAGE_BEFORE -> Wire.concat(it.garbage(), f);
        };
    }

    private static List<byte[]> run(RingKind kind, byte[] stream, List<Integer> chunks) {
        Wire.Sink sink = new Wire.Sink();
        try (FrameReader reader = kind.reader(MAX)) {
            int off = 0;
            int c = 0;
            while (off < stream.length) {
                int n = Math.min(chunks.isEmpty() ? stream.length : chunks.get(c++ % chunks.size()), stream.length - off);
                Wire.feed(reader, sink, java.util.Arrays.copyOfRange(stream, off, off + n), n);
                off += n;
            }
            Wire.drain(reader, sink);
        }
        return sink.payloads;
    }

    @Property(tries = 300)
    void aCleanStreamCutAnywhereGivesItsFramesBack(@ForAll("cleanStreams") List<Item> items,
            @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 5000) Integer> chunks, @ForAll RingKind kind) {
        List<byte[]> parts = new ArrayList<>();
        for (Item it : items) {
            parts.add(wire(it));
        }
        List<byte[]> got = run(kind, Wire.concat(parts.toArray(byte[][]::new)), chunks);
        assertEquals(items.size(), got.size());
        for (int i = 0; i < items.size(); i++) {
            assertArrayEquals(items.get(i).payload(), got.get(i));
        }
    }

    @Property(tries = 300)
    void everyIntactQtx2FrameSurvivesDamageToTheOthers(@ForAll("damagedStreams") List<Item> items,
            @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 5000) Integer> chunks, @ForAll RingKind kind) {
        List<byte[]> parts = new ArrayList<>();
        List<byte[]> intact = new ArrayList<>();
        for (Item raw : items) {
            Item it = new Item(2, raw.payload(), raw.damage(), raw.where(), raw.mask(), raw.garbage());
            parts.add(wire(it));
            if (it.damage() == Damage.NONE || it.damage() == Damage.GARBAGE_BEFORE) {
                intact.add(it.payload());
            }
        }
        List<byte[]> got = run(kind, Wire.concat(parts.toArray(byte[][]::new)), chunks);
        // Exactly the intact frames, in order: nothing lost, nothing made up from damaged bytes.
        assertEquals(intact.size(), got.size());
        for (int i = 0; i < intact.size(); i++) {
            assertArrayEquals(intact.get(i), got.get(i), "frame " + i);
        }
    }

    @Property(tries = 500)
    void anyBytesAtAllAreConsumedWithinTheBoundAndAccountedFor(@ForAll @Size(max = 20_000) byte[] junk,
            @ForAll @IntRange(min = 1, max = 9000) int chunk, @ForAll RingKind kind) {
        long[] frameBytes = {0};
        try (FrameReader reader = new FrameReader(kind.make(FrameReader.ringCapacity(64)), 64, FrameReader.DEFAULT_STALL_NANOS)) {
            FrameHandler count = f -> {
                frameBytes[0] += f.payloadLength() + FrameDescriptor.headerLength(f.version());
                return true;
            };
            // feed() fails if the ring ever fills with the reader unable to make progress.
            Wire.feed(reader, count, junk, chunk);
            Wire.drain(reader, count);
            ReaderStats s = reader.stats();
            assertEquals(junk.length, s.bytesSkipped() + frameBytes[0] + reader.ring().readableBytes());
            assertEquals(true, reader.ring().readableBytes() < FrameDescriptor.MAGIC_LENGTH,
                    "after a drain only a magic's first bytes may wait");
        }
    }
}
