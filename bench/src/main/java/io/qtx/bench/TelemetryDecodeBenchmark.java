package io.qtx.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import com.google.protobuf.InvalidProtocolBufferException;

import io.qtx.framing.ByteRing;
import io.qtx.protocol.EnvelopeDecoder;
import io.qtx.framing.FrameDescriptor;
import io.qtx.framing.FrameReader;
import io.qtx.framing.FrameWriter;
import io.qtx.proto.AgentCounters;
import io.qtx.proto.Envelope;
import io.qtx.proto.Filesystem;
import io.qtx.proto.LinkState;
import io.qtx.proto.Memory;
import io.qtx.proto.NetInterface;
import io.qtx.proto.TelemetryReport;
import io.qtx.protocol.ProtoFrames;

/**
 * A typical telemetry report (4 filesystems, 3 interfaces) in a QTX2 frame: {@code decode} puts
 * the frame's bytes in the reader's ring and decodes it, CRC and protobuf parse in place, into
 * the Envelope object; {@code encode} serialises it into the writer's ring and drains it;
 * {@code parseFromByteArray} is protobuf's usual parse of a byte[], for scale. Messages/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class TelemetryDecodeBenchmark {

    private FrameReader reader;
    private FrameWriter writer;
    private MemorySegment frame;
    private byte[] payload;
    private Envelope report;
    private Blackhole blackhole;
    private EnvelopeDecoder decoder;

    static Envelope typicalReport() {
        TelemetryReport.Builder t = TelemetryReport.newBuilder()
                .setCollectedUnixMs(1_764_400_000_000L).setCpuPercent(12.5)
                .setMemory(Memory.newBuilder().setTotalBytes(8L << 30).setAvailableBytes(5L << 30).setUsedBytes(3L << 30)
                        .setFreeBytes(1L << 30).setBuffersBytes(200L << 20).setCachedBytes(2L << 30)
                        .setSwapTotalBytes(2L << 30).setSwapFreeBytes(2L << 30))
                .setLoad1M(0.42).setLoad5M(0.37).setLoad15M(0.30).setUptimeMs(86_400_000L).setProcessCount(143)
                .setHostname("web-01.example.internal")
                .setAgent(AgentCounters.newBuilder().setReconnects(2).setFramesSent(10_000).setFramesReceived(300).setResyncs(1));
        String[][] fs = {{"/", "/dev/vda1", "ext4"}, {"/boot", "/dev/vda2", "ext4"}, {"/var", "/dev/vdb1", "xfs"}, {"/home", "/dev/vdc1", "ext4"}};
        for (String[] f : fs) {
            t.addFilesystems(Filesystem.newBuilder().setMountpoint(f[0]).setDevice(f[1]).setFsType(f[2])
                    .setTotalBytes(50L << 30).setUsedBytes(20L << 30).setAvailableBytes(30L << 30)
                    .setInodesTotal(3_276_800).setInodesUsed(250_000));
        }
        String[] ifs = {"lo", "eth0", "eth1"};
        for (int i = 0; i < ifs.length; i++) {
            t.addInterfaces(NetInterface.newBuilder().setName(ifs[i]).setMac(i == 0 ? "" : "52:54:00:12:34:5" + i)
                    .addIpv4("192.0.2." + (10 + i) + "/24").addIpv6("2001:db8::" + (10 + i) + "/64")
                    .setState(LinkState.LINK_STATE_UP).setMtu(1500).setRxBytes(123_456_789L * (i + 1))
                    .setTxBytes(98_765_432L * (i + 1)).setRxPackets(1_000_000L).setTxPackets(900_000L));
        }
        return Envelope.newBuilder().setId(42).setSentUnixMs(1_764_400_000_000L).setTelemetry(t).build();
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        blackhole = bh;
        report = typicalReport();
        payload = report.toByteArray();
        reader = new FrameReader(1 << 16, FrameReader.DEFAULT_STALL_NANOS);
        writer = new FrameWriter(1 << 18, 1 << 16);
        writer.frameVersion(FrameDescriptor.VERSION_2);
        ProtoFrames.offer(writer, report);
        frame = MemorySegment.ofArray(writer.readable(writer.chunkLength()).toArray(ValueLayout.JAVA_BYTE));
        writer.consumed(writer.chunkLength());
        decoder = new EnvelopeDecoder((e, v) -> blackhole.consume(e));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
        writer.close();
    }

    @Benchmark
    public int decode() {
        ByteRing ring = reader.ring();
        int n = (int) frame.byteSize();
        ring.prepareWrite(n);
        MemorySegment.copy(frame, 0, ring.memory(), ring.writeOffset(), n);
        ring.commit(n);
        return reader.poll(decoder);
    }

    @Benchmark
    public int encode() {
        ProtoFrames.offer(writer, report);
        int n = writer.chunkLength();
        writer.consumed(n);
        return n;
    }

    @Benchmark
    public Envelope parseFromByteArray() throws InvalidProtocolBufferException {
        return Envelope.parseFrom(payload);
    }

    /** Bytes of the report's payload, for the README. */
    public static void main(String[] args) {
        System.out.println("payload bytes: " + typicalReport().getSerializedSize());
    }
}
