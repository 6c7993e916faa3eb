package io.qtx.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import io.qtx.testkit.Await;

/**
 * The host's end of a test channel: a client of QEMU's socket, as qx-node is. A thread of its
 * own reads everything that arrives into a buffer, so a test can write and read at once and
 * wait for bytes with a timeout.
 */
final class HostEnd implements AutoCloseable {

    private final SocketChannel channel;
    private final Thread reader;
    private byte[] received = new byte[8192];
    private int length;
    /** Index of the first byte not yet taken by a read method. */
    private int taken;
    private boolean ended;
    private long firstByteNanos;

    private HostEnd(SocketChannel channel, String name) {
        this.channel = channel;
        this.reader = Thread.ofPlatform().name("host-end-" + name).daemon(true).start(this::readAll);
    }

    /** Connects to {@code socket}, waiting up to {@code timeout} for QEMU to create it. */
    static HostEnd connect(Path socket, Duration timeout) throws IOException, InterruptedException {
        try {
            SocketChannel connected = Await.value("a connection to " + socket, timeout, () -> tryConnect(socket),
                    channel -> channel != null);
            return new HostEnd(connected, socket.getFileName().toString());
        } catch (AssertionError e) {
            throw new IOException(e.getMessage() + (Files.exists(socket) ? "" : " (no such socket)"), e);
        }
    }

    /** A connected channel, or null while QEMU does not listen yet. */
    private static SocketChannel tryConnect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            channel.close();
            return null;
        }
    }

    private void readAll() {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                synchronized (this) {
                    if (length == 0 && buffer.position() > 0) {
                        firstByteNanos = System.nanoTime();
                    }
                    if (length + buffer.position() > received.length) {
                        received = Arrays.copyOf(received, Math.max(received.length * 2, length + buffer.position()));
                    }
                    System.arraycopy(buffer.array(), 0, received, length, buffer.position());
                    length += buffer.position();
                    notifyAll();
                }
            }
        } catch (ClosedChannelException e) {
            // close() from the test.
        } catch (IOException e) {
            // The peer reset the connection: the same as an end of input here.
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes everything, blocking while QEMU does not read. */
    void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next {@code n} bytes, waiting up to {@code timeout}. */
    synchronized byte[] read(int n, Duration timeout) throws InterruptedException {
        waitFor(() -> length - taken >= n, timeout, n + " bytes");
        byte[] result = Arrays.copyOfRange(received, taken, taken + n);
        taken += n;
        return result;
    }

    /** The next line without its newline, waiting up to {@code timeout}. */
    synchronized String readLine(Duration timeout) throws InterruptedException {
        waitFor(() -> indexOf('\n') >= 0, timeout, "a line");
        int end = indexOf('\n');
        String line = new String(received, taken, end - taken, StandardCharsets.UTF_8);
        taken = end + 1;
        return line;
    }

    /** Reads until {@code text} has arrived; returns everything up to and including it. */
    synchronized String readUntil(String text, Duration timeout) throws InterruptedException {
        waitFor(() -> unread().contains(text), timeout, "\"" + text.replace("\n", "\\n") + "\"");
        String all = unread();
        int end = all.indexOf(text) + text.length();
        // ISO-8859-1 maps one byte to one char, so char and byte indexes agree.
        taken += end;
        return all.substring(0, end);
    }

    /** How many bytes have arrived so far, taken or not. */
    synchronized int receivedCount() {
        return length;
    }

    /** When the first byte arrived, on the {@link System#nanoTime()} clock; 0 before. */
    synchronized long firstByteNanos() {
        return firstByteNanos;
    }

    private String unread() {
        return new String(received, taken, length - taken, StandardCharsets.ISO_8859_1);
    }

    private int indexOf(char c) {
        for (int i = taken; i < length; i++) {
            if (received[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private void waitFor(java.util.function.BooleanSupplier done, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError((ended ? "connection ended" : "timed out after " + timeout)
                        + " waiting for " + what + "; unread: \"" + unread().replace("\n", "\\n") + "\"");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            reader.join(Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
