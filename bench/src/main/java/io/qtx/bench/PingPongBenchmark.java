package io.qtx.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 64-byte ping-pong over an AF_UNIX stream socket pair: one side echoes, the other sends
 * the next ping when the pong is whole. Both ends live on one event-loop thread, so a round
 * trip is two reads, two writes and the wake-ups between them; the score is round trips per
 * second. {@code transport=epoll} is our FFM loop, {@code transport=nio} the JDK's Selector.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class PingPongBenchmark {

    static final int MESSAGE_SIZE = 64;
    static final int ROUND_TRIPS = 1_000;

    @Param({"epoll", "nio"})
    public String transport;

    private PingPong pingPong;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pingPong = switch (transport) {
            case "epoll" -> new EpollPingPong(MESSAGE_SIZE);
            case "nio" -> new NioPingPong(MESSAGE_SIZE);
            default -> throw new IllegalArgumentException("transport=" + transport);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pingPong.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public long roundTrips() throws Exception {
        return pingPong.run(ROUND_TRIPS);
    }

    /** One way of playing ping-pong; {@link #run} returns when {@code roundTrips} are done. */
    interface PingPong extends AutoCloseable {
        long run(int roundTrips) throws Exception;
    }
}
