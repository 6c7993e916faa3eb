package io.qtx.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Sockets;
import io.qtx.ffi.Syscalls;
import io.qtx.framing.ByteRing;
import io.qtx.framing.CompactingRing;
import io.qtx.framing.FrameDescriptor;
import io.qtx.framing.FrameHandler;
import io.qtx.framing.FrameReader;

/**
 * Framing through a socket pair: one pass = a 1 MiB stream of QTX1 frames written into one end
 * and read from the other, both ends on one event-loop thread, each frame handed to a handler
 * that touches its length and first byte. {@code epoll}: our FFM loop (edge-triggered) reading
 * straight into {@link FrameReader}'s ring (mirrored; {@code epoll-compacting} with the fallback ring); {@code nio}: the JDK Selector with the classic
 * direct-ByteBuffer loop; {@code netty}: Netty's native epoll transport with a
 * ByteToMessageDecoder ({@link NettyFraming}). The C counterpart is {@code framing-loop}'s socketpair section.
 * Aux counters: frames and payload bytes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class SocketpairFramingBenchmark {

    static final int MAX_PAYLOAD = 64 << 10;
    static final int WRITE_BYTES = 256 << 10;
    /**
     * Streams per benchmark operation: our loop (and Netty's) runs on its own thread, so each
     * operation costs a hand-off to it and back that NIO, framing on the caller's thread, never
     * pays and no daemon pays per stream. At eight 1 MiB streams that wake-up was 2-3% of the
     * CPU profile (futex wake and park); 32 per hand-off keep it under 1%.
     */
    static final int STREAMS_PER_OP = 32;

    @Param({"64", "256", "1024", "16384", "65536"})
    public int payload;

    @Param({"epoll", "epoll-compacting", "nio", "netty"})
    public String transport;

    private int framesPerPass;
    private Epoll epoll;
    private Nio nio;
    private NettyFraming netty;
    /** Thread CPU clocks: the framing thread's own CPU time, see {@link FramingCpu}. */
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        byte[] stream = FramingFromMemoryBenchmark.buildStream(payload, 1);
        framesPerPass = stream.length / (FrameDescriptor.HEADER_LENGTH_V1 + payload);
        switch (transport) {
            case "epoll" -> epoll = new Epoll(stream, framesPerPass, ByteRing.allocate(FrameReader.ringCapacity(MAX_PAYLOAD)));
            case "epoll-compacting" -> epoll = new Epoll(stream, framesPerPass, new CompactingRing(FrameReader.ringCapacity(MAX_PAYLOAD)));
            case "nio" -> nio = new Nio(stream, framesPerPass);
            case "netty" -> netty = new NettyFraming(stream, framesPerPass, MAX_PAYLOAD);
            default -> throw new IllegalArgumentException("transport=" + transport);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (epoll != null) {
            epoll.close();
        }
        if (nio != null) {
            nio.close();
        }
        if (netty != null) {
            netty.close();
        }
    }

    @Benchmark
    public long pass(FrameRates rates, FramingCpu cpu) throws Exception {
        long sink = epoll != null ? epoll.pass() : nio != null ? nio.pass() : netty.pass();
        long frames = (long) STREAMS_PER_OP * framesPerPass;
        rates.add(frames, payload);
        cpu.add(epoll != null ? epoll.loopCpuNanos : nio != null ? THREADS.getCurrentThreadCpuTime() : -1, frames);
        return sink;
    }

    /** Our loop: edge-triggered registrations, reads straight into the reader's ring. */
    static final class Epoll {
        private final EventLoop loop;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment source;
        private final int framesPerPass;
        private final FrameReader reader;
        private final Registration in;
        private final Registration out;
        private long sink;
        private final FrameHandler handler = f -> {
            sink += f.payloadLength() + f.memory().get(ValueLayout.JAVA_BYTE, f.payloadOffset());
            return true;
        };
        private long sent;
        private int framesLeft;
        private int streamsLeft;
        private CompletableFuture<Long> done;
        /** The loop thread's CPU clock when the last pass finished; read after that pass's future. */
        long loopCpuNanos = -1;

        Epoll(byte[] stream, int framesPerPass, ByteRing ring) throws Exception {
            this.framesPerPass = framesPerPass;
            this.reader = new FrameReader(ring, MAX_PAYLOAD, FrameReader.DEFAULT_STALL_NANOS);
            this.source = arena.allocate(stream.length, 64);
            MemorySegment.copy(stream, 0, source, ValueLayout.JAVA_BYTE, 0, stream.length);
            this.loop = EventLoop.start("bench-framing");
            Fd[] pair = Sockets.socketpair();
            CompletableFuture<Registration[]> registered = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    Registration r = loop.register(pair[1], IoEvents.READABLE, true, (reg, ev) -> readable(reg));
                    Registration w = loop.register(pair[0], IoEvents.WRITABLE, true, (reg, ev) -> writable(reg));
                    registered.complete(new Registration[] {r, w});
                } catch (Exception e) {
                    registered.completeExceptionally(e);
                }
            });
            Registration[] regs = registered.get(5, TimeUnit.SECONDS);
            this.in = regs[0];
            this.out = regs[1];
        }

        long pass() throws Exception {
            CompletableFuture<Long> finished = new CompletableFuture<>();
            loop.execute(() -> {
                done = finished;
                streamsLeft = STREAMS_PER_OP;
                try {
                    nextStream();
                } catch (NativeException e) {
                    finished.completeExceptionally(e);
                }
            });
            return finished.get(60, TimeUnit.SECONDS);
        }

        private void nextStream() throws NativeException {
            sent = 0;
            framesLeft = framesPerPass;
            writable(out);
        }

        private void writable(Registration reg) throws NativeException {
            final long length = source.byteSize();
            while (done != null && sent < length) {
                long w = reg.fd().write(source.asSlice(sent, Math.min(WRITE_BYTES, length - sent)));
                if (w == Syscalls.WOULD_BLOCK) {
                    return;
                }
                sent += w;
            }
        }

        private void readable(Registration reg) throws NativeException {
            ByteRing ring = reader.ring();
            while (true) {
                MemorySegment space = ring.writable();
                long n = reg.fd().read(space);
                if (n == Syscalls.WOULD_BLOCK || n == 0) {
                    return;
                }
                ring.commit((int) n);
                // A short read drains a stream socket (as FramedChannel does for sockets): the
                // read that would only say EAGAIN is skipped, and a later arrival raises a new edge.
                boolean drained = n < space.byteSize();
                framesLeft -= reader.poll(handler);
                if (framesLeft == 0 && done != null) {
                    if (--streamsLeft > 0) {
                        nextStream();
                    } else {
                        CompletableFuture<Long> d = done;
                        done = null;
                        loopCpuNanos = THREADS.getCurrentThreadCpuTime();
                        d.complete(sink);
                    }
                }
                if (drained) {
                    return;
                }
            }
        }

        void close() {
            loop.close();
            reader.close();
            arena.close();
        }
    }

    /** The JDK: a Selector, non-blocking SocketChannels over a Unix socket, a direct ByteBuffer loop. */
    static final class Nio {
        private final Path dir;
        private final SocketChannel writer;
        private final SocketChannel readerChannel;
        private final Selector selector;
        private final ByteBuffer source;
        private final ByteBuffer in = ByteBuffer.allocateDirect(2 * FrameReader.ringCapacity(MAX_PAYLOAD)).order(ByteOrder.BIG_ENDIAN);
        private final int framesPerPass;
        private final SelectionKey writeKey;
        private final NioFrames frames = new NioFrames(MAX_PAYLOAD);

        Nio(byte[] stream, int framesPerPass) throws IOException {
            this.framesPerPass = framesPerPass;
            this.source = ByteBuffer.allocateDirect(stream.length);
            source.put(stream).flip();
            this.dir = Files.createTempDirectory("qtx-nio-framing");
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("pair.sock"));
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(address);
                writer = SocketChannel.open(address);
                readerChannel = server.accept();
            }
            Files.deleteIfExists(address.getPath());
            writer.configureBlocking(false);
            readerChannel.configureBlocking(false);
            selector = Selector.open();
            writeKey = writer.register(selector, 0);
            readerChannel.register(selector, SelectionKey.OP_READ);
        }

        long pass() throws IOException {
            for (int i = 0; i < STREAMS_PER_OP; i++) {
                stream();
            }
            return frames.sink;
        }

        private void stream() throws IOException {
            source.clear();
            writeKey.interestOps(SelectionKey.OP_WRITE);
            int framesLeft = framesPerPass;
            while (framesLeft > 0) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key == writeKey) {
                        while (source.hasRemaining()) {
                            int limit = source.limit();
                            source.limit(Math.min(limit, source.position() + WRITE_BYTES));
                            int w = writer.write(source);
                            source.limit(limit);
                            if (w == 0) {
                                break;
                            }
                        }
                        if (!source.hasRemaining()) {
                            writeKey.interestOps(0);
                        }
                    } else {
                        int n;
                        while ((n = readerChannel.read(in)) > 0) {
                            in.flip();
                            framesLeft -= frames.drain(in);
                            in.compact();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }

        void close() throws IOException {
            selector.close();
            writer.close();
            readerChannel.close();
            Files.deleteIfExists(dir);
        }
    }
}
