package io.qtx.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.qtx.framing.ByteRing;
import io.qtx.framing.CompactingRing;
import io.qtx.framing.FrameDescriptor;
import io.qtx.framing.FrameHandler;
import io.qtx.framing.FrameReader;
import io.qtx.framing.MirroredRing;

/**
 * Framing from memory: a 1 MiB stream of frames with opaque payloads is copied into the reader
 * in 64 KiB reads (what one read(2) of a busy socket gives) and every frame is handed to a
 * handler that touches its length and first byte, exactly as {@code bench/src/main/c/framing_loop.c}
 * does. {@code impl}: our reader over a mirrored or a compacting ring, or the classic JDK NIO
 * loop (direct ByteBuffer, getInt, compact()). Scores: passes/s, and the aux counters
 * {@code frames} and {@code payloadBytes} per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class FramingFromMemoryBenchmark {

    static final int STREAM_BYTES = 1 << 20;
    static final int READ_BYTES = 64 << 10;
    static final int MAX_PAYLOAD = 64 << 10;

    @Param({"64", "256", "1024", "16384", "65536"})
    public int payload;

    @Param({"mirrored", "compacting", "nio"})
    public String impl;

    @Param({"1", "2"})
    public int version;

    private Arena arena;
    private MemorySegment stream;
    private int streamLength;
    private FrameReader reader;
    private Nio nio;
    private long sink;
    private final FrameHandler handler = f -> {
        sink += f.payloadLength() + f.memory().get(ValueLayout.JAVA_BYTE, f.payloadOffset());
        return true;
    };

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        byte[] bytes = buildStream(payload, version);
        streamLength = bytes.length;
        stream = arena.allocate(streamLength, 64);
        MemorySegment.copy(bytes, 0, stream, ValueLayout.JAVA_BYTE, 0, streamLength);
        int capacity = FrameReader.ringCapacity(MAX_PAYLOAD);
        switch (impl) {
            case "mirrored" -> {
                ByteRing ring = MirroredRing.tryAllocate(capacity);
                if (ring == null) {
                    throw new IllegalStateException("no mirrored ring here");
                }
                reader = new FrameReader(ring, MAX_PAYLOAD, FrameReader.DEFAULT_STALL_NANOS);
            }
            case "compacting" -> reader = new FrameReader(new CompactingRing(capacity), MAX_PAYLOAD, FrameReader.DEFAULT_STALL_NANOS);
            case "nio" -> nio = new Nio(stream.asByteBuffer(), 2 * capacity);
            default -> throw new IllegalArgumentException("impl=" + impl);
        }
    }

    /** Whole frames of {@code payload} random bytes, up to about 1 MiB (at least 16 frames). */
    static byte[] buildStream(int payload, int version) {
        int header = version == 2 ? FrameDescriptor.HEADER_LENGTH_V2 : FrameDescriptor.HEADER_LENGTH_V1;
        int frames = Math.max(16, STREAM_BYTES / (header + payload));
        ByteBuffer b = ByteBuffer.allocate(frames * (header + payload)).order(ByteOrder.BIG_ENDIAN);
        Random r = new Random(payload);
        byte[] p = new byte[payload];
        CRC32C crc = new CRC32C();
        for (int i = 0; i < frames; i++) {
            r.nextBytes(p);
            int start = b.position();
            b.putInt(FrameDescriptor.MAGIC_PREFIX | version).putInt(payload);
            if (version == 2) {
                crc.reset();
                crc.update(p);
                b.putInt((int) crc.getValue());
                crc.reset();
                crc.update(b.array(), start, 12);
                b.putInt((int) crc.getValue());
            }
            b.put(p);
        }
        return b.array();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (reader != null) {
            reader.close();
        }
        arena.close();
    }

    @Benchmark
    public long pass(FrameRates rates) {
        int frames = nio != null ? nio.pass(streamLength) : qtxPass();
        rates.add(frames, payload);
        return sink;
    }

    private int qtxPass() {
        final FrameReader r = reader;
        final ByteRing ring = r.ring();
        final MemorySegment src = stream;
        final int length = streamLength;
        int frames = 0;
        int off = 0;
        while (off < length) {
            int n = Math.min(Math.min(READ_BYTES, ring.prepareWrite()), length - off);
            MemorySegment.copy(src, off, ring.memory(), ring.writeOffset(), n);
            ring.commit(n);
            off += n;
            frames += r.poll(handler);
        }
        return frames;
    }

    /** Copies the stream into a direct ByteBuffer in the same reads and frames it with {@link NioFrames}. */
    final class Nio {
        private final ByteBuffer source;
        private final ByteBuffer in;
        private final NioFrames frames = new NioFrames(MAX_PAYLOAD);

        Nio(ByteBuffer source, int capacity) {
            this.source = source;
            this.in = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
        }

        int pass(int length) {
            final ByteBuffer src = source;
            final ByteBuffer b = in;
            int count = 0;
            int off = 0;
            while (off < length) {
                int n = Math.min(Math.min(READ_BYTES, b.remaining()), length - off);
                src.limit(off + n).position(off);
                b.put(src);
                off += n;
                b.flip();
                count += frames.drain(b);
                b.compact();
            }
            sink += frames.sink;
            frames.sink = 0;
            return count;
        }
    }
}
