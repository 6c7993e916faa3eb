package io.qtx.sim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * One end that a test holds: a host client or a guest. Non-blocking, with its own selector so
 * every wait is bounded by a deadline instead of a sleep.
 */
final class Peer implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SocketChannel channel;
    /** Two selectors, so one thread may wait to read while another waits to write. */
    private final Selector readable;
    private final Selector writable;

    private Peer(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.readable = Selector.open();
        this.writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
    }

    /** Connects as a blocking client would; a connect that lands in a listener's backlog returns at once. */
    static Peer connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            return new Peer(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Connects without blocking; throws what the kernel answers, EAGAIN included. */
    static Peer connectNonBlocking(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                throw new IllegalStateException("a Unix-domain connect is never left in progress");
            }
            return new Peer(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Writes every byte, waiting for room as long as {@code TIMEOUT}. */
    void write(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                await(SelectionKey.OP_WRITE, deadline, () -> "writing, " + buf.remaining() + " bytes left");
            }
        }
    }

    void write(String text) throws IOException {
        write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** One non-blocking write: how many bytes the kernel took now. */
    int writeNow(ByteBuffer buf) throws IOException {
        return channel.write(buf);
    }

    /** Reads exactly {@code n} bytes; fails on end-of-file or when {@code TIMEOUT} passes first. */
    byte[] read(int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (buf.hasRemaining()) {
            int r = channel.read(buf);
            if (r < 0) {
                throw new AssertionError("end-of-file after " + buf.position() + " of " + n + " bytes: "
                        + new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.US_ASCII));
            }
            if (r == 0) {
                await(SelectionKey.OP_READ, deadline, () -> "reading, " + buf.position() + " of " + n + " bytes in");
            }
        }
        return buf.array();
    }

    String readText(int n) throws IOException {
        return new String(read(n), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** What has arrived so far, without waiting; null at end-of-file. */
    byte[] readNow() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int r = channel.read(buf);
        return r < 0 ? null : Arrays.copyOf(buf.array(), buf.position());
    }

    /** Waits for end-of-file; fails if bytes arrive first or {@code TIMEOUT} passes. */
    void awaitEof() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            int r;
            try {
                r = channel.read(one);
            } catch (IOException e) {
                return; // reset by the peer counts as the end too
            }
            if (r < 0) {
                return;
            }
            if (r > 0) {
                throw new AssertionError("a byte arrived where end-of-file was expected");
            }
            await(SelectionKey.OP_READ, deadline, () -> "waiting for end-of-file");
        }
    }

    private void await(int op, long deadline, java.util.function.Supplier<String> what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("timeout after " + TIMEOUT + " " + what.get());
        }
        Selector selector = op == SelectionKey.OP_READ ? readable : writable;
        selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
        selector.selectedKeys().clear();
    }

    @Override
    public void close() throws IOException {
        try {
            readable.close();
            writable.close();
        } finally {
            channel.close();
        }
    }
}
