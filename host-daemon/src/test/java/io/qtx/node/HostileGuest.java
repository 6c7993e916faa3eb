package io.qtx.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import io.qtx.proto.Envelope;
import io.qtx.proto.FrameVersion;
import io.qtx.proto.Hello;
import io.qtx.proto.HelloReply;
import io.qtx.proto.Role;
import io.qtx.testkit.Await;

/**
 * Plays QEMU's side of one VM's agent socket with raw bytes, as a hostile guest would: listens
 * at {@code {dir}/{id}.agent.sock} (so qx-node finds it like any VM), and runs a behaviour on
 * every connection qx-node makes. A reader thread drains what qx-node writes and decodes its
 * QTX1 frames, so a behaviour can answer a Hello; writes block when qx-node stops reading (its
 * back-pressure), which is what a real guest's writes do. Test support only.
 */
final class HostileGuest implements AutoCloseable {

    /** What the guest does on one connection; returning (or throwing) leaves it open until close. */
    interface Behaviour {
        void run(Conn conn) throws Exception;
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    HostileGuest(Path dir, String id, Behaviour behaviour) throws IOException {
        this.socket = dir.resolve(id + VmId.SOCKET_SUFFIX);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.acceptor = Thread.ofPlatform().name("hostile-" + id).daemon(true).start(() -> {
            while (!closed) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                connections.incrementAndGet();
                Conn c = new Conn(ch);
                conns.add(c);
                Thread.ofPlatform().name("hostile-" + id + "-conn").daemon(true).start(() -> {
                    try {
                        behaviour.run(c);
                    } catch (Exception e) {
                        // qx-node closed the connection (quarantine), or the test is closing.
                    }
                });
            }
        });
    }

    /** The connection made most recently, waiting up to 20 s for one. */
    Conn awaitConn() throws InterruptedException {
        Await.until("qx-node connected to " + socket, Duration.ofSeconds(20), () -> !conns.isEmpty());
        return conns.get(conns.size() - 1);
    }

    @Override
    public void close() throws Exception {
        closed = true;
        server.close();
        acceptor.join(TimeUnit.SECONDS.toMillis(10));
        for (Conn c : conns) {
            c.close();
        }
        Files.deleteIfExists(socket);
    }

    /** One connection from qx-node. */
    static final class Conn implements AutoCloseable {
        final SocketChannel ch;
        final BlockingQueue<Envelope> fromHost = new LinkedBlockingQueue<>(10_000);
        final AtomicLong bytesFromHost = new AtomicLong();
        final AtomicLong bytesToHost = new AtomicLong();
        private final Thread reader;
        private long nextId = 1;
        /** When set, the reader answers every Hello of qx-node's, as an agent does. */
        private volatile String answering;
        /** When set, the reader also answers pings (a minimal well-formed agent). */
        private volatile boolean pongs;
        private final java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);

        Conn(SocketChannel ch) {
            this.ch = ch;
            this.reader = Thread.ofPlatform().daemon(true).name("hostile-reader").start(this::readLoop);
        }

        private void readLoop() {
            ByteBuffer in = ByteBuffer.allocate(1 << 20);
            try {
                while (ch.read(in) >= 0) {
                    in.flip();
                    bytesFromHost.addAndGet(in.remaining());
                    decode(in);
                    in.compact();
                }
            } catch (IOException e) {
                // closed
            }
        }

        /** QTX1 frames only: the hostile guest never agrees on QTX2. */
        private void decode(ByteBuffer in) {
            in.order(ByteOrder.BIG_ENDIAN);
            while (in.remaining() >= 8) {
                int at = in.position();
                if (in.getInt(at) != 0x51545801) {
                    in.position(at + 1);
                    continue;
                }
                int length = in.getInt(at + 4);
                if (length < 0 || in.remaining() < 8 + length) {
                    return;
                }
                byte[] payload = new byte[length];
                in.get(at + 8, payload);
                in.position(at + 8 + length);
                try {
                    Envelope e = Envelope.parseFrom(payload);
                    String host = answering;
                    if (host != null && e.hasHello()) {
                        answer(e.getHello(), host);
                        answered.countDown();
                    } else if (pongs && e.hasPing()) {
                        long now = System.nanoTime() / 1_000_000;
                        send(Envelope.newBuilder().setReplyTo(e.getId()).setPong(io.qtx.proto.Pong.newBuilder()
                                .setUptimeMs(1).setClock(io.qtx.proto.ClockTimes.newBuilder().setReceivedMs(now)
                                        .setSentMs(now))));
                    } else if (pongs && e.hasRequest() && e.getRequest().hasSystemInfo()) {
                        // What the guest says about itself is as hostile as its Hello.
                        send(Envelope.newBuilder().setReplyTo(e.getId()).setResponse(io.qtx.proto.Response.newBuilder()
                                .setSystemInfo(io.qtx.proto.SystemInfo.newBuilder().setHostname(host)
                                        .setOsName(host).setOsId("x").setCpuModel(host))));
                    } else {
                        fromHost.offer(e);
                    }
                } catch (IOException e) {
                    // not ours to judge, or closed
                }
            }
        }

        synchronized void write(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                bytesToHost.addAndGet(ch.write(b));
            }
        }

        /** Sends an envelope in a QTX1 frame, stamping the next id unless it has one. */
        synchronized void send(Envelope.Builder e) throws IOException {
            if (e.getId() == 0) {
                e.setId(nextId++);
            }
            write(frame(e.build().toByteArray(), false));
        }

        /** Waits for qx-node's Hello, skipping anything else; fails after 20 s. */
        Hello awaitHello() throws InterruptedException {
            return Await.value("qx-node's Hello", Duration.ofSeconds(20), fromHost::poll,
                    e -> e != null && e.hasHello()).getHello();
        }

        /**
         * Completes qx-node's handshake, and every later one (a Hello repeated before our answer
         * arrived, a re-sync): from now on every Hello is answered. Returns after the first.
         */
        void handshake(String hostname) throws Exception {
            answering = hostname;
            for (Envelope e : fromHost) {
                if (e.hasHello()) {
                    answer(e.getHello(), hostname);
                    answered.countDown();
                }
            }
            if (!answered.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("qx-node sent no Hello");
            }
        }

        /** Like {@link #handshake}, and answers every ping too, as a working agent does. */
        void behave(String hostname) throws Exception {
            pongs = true;
            handshake(hostname);
        }

        void answer(Hello host, String hostname) throws IOException {
            send(Envelope.newBuilder().setHelloReply(HelloReply.newBuilder().setEchoNonce(host.getNonce())
                    .setProtocolVersion(1).setFrameVersion(FrameVersion.FRAME_VERSION_QTX1)));
            send(Envelope.newBuilder().setHello(Hello.newBuilder().setNonce(ByteString.copyFromUtf8("hostile-nonce-01"))
                    .setRole(Role.ROLE_AGENT).addProtocolVersions(1).addFrameVersions(FrameVersion.FRAME_VERSION_QTX1)
                    .setSoftwareVersion("6.6.6").setInstanceId(ByteString.copyFromUtf8("hostile"))
                    .setMaxPayloadBytes(1 << 20).setSentUnixMs(System.currentTimeMillis()).setHostname(hostname)));
        }

        @Override
        public void close() throws Exception {
            ch.close();
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** A frame around {@code payload}: QTX2 (with both CRCs) or QTX1. */
    static byte[] frame(byte[] payload, boolean v2) {
        ByteBuffer b = ByteBuffer.allocate((v2 ? 16 : 8) + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt(v2 ? 0x51545802 : 0x51545801).putInt(payload.length);
        if (v2) {
            CRC32C crc = new CRC32C();
            crc.update(payload);
            b.putInt((int) crc.getValue());
            crc.reset();
            crc.update(b.array(), 0, 12);
            b.putInt((int) crc.getValue());
        }
        b.put(payload);
        return b.array();
    }

    /** Bytes of several parts, in order. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
