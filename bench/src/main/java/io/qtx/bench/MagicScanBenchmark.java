package io.qtx.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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

import io.qtx.framing.MagicScanner;

/**
 * Looking for a frame magic in 1 MiB of random bytes (a 0x51 every 256 bytes or so, a real magic
 * almost never), as a reader does after garbage. {@code swar} is {@link MagicScanner};
 * {@code bytewise} the obvious loop, for scale. The C limit (memchr for 0x51, then the same check)
 * is {@code bench/target/framing-loop}. Aux counter {@code bytes}: bytes scanned per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class MagicScanBenchmark {

    static final int SIZE = 1 << 20;

    @Param({"swar", "bytewise"})
    public String impl;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long bytes;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
        }
    }

    private Arena arena;
    private MemorySegment data;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(SIZE, 64);
        byte[] r = new byte[SIZE];
        new Random(1).nextBytes(r);
        MemorySegment.copy(r, 0, data, ValueLayout.JAVA_BYTE, 0, SIZE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long scan(Rates rates) {
        final MemorySegment m = data;
        long found = 0;
        long p = 0;
        if (impl.equals("swar")) {
            while (p < SIZE) {
                p = MagicScanner.find(m, p, SIZE);
                if (p < SIZE) {
                    found++;
                    p++;
                }
            }
        } else {
            for (; p < SIZE - 3; p++) {
                if (m.get(ValueLayout.JAVA_BYTE, p) == 0x51 && m.get(ValueLayout.JAVA_BYTE, p + 1) == 0x54
                        && m.get(ValueLayout.JAVA_BYTE, p + 2) == 0x58) {
                    byte v = m.get(ValueLayout.JAVA_BYTE, p + 3);
                    if (v == 1 || v == 2) {
                        found++;
                    }
                }
            }
        }
        rates.bytes += SIZE;
        return found;
    }
}
