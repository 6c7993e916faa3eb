package io.qtx.sim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The guest's end: a socket path that listens only while no guest holds the port, so that a
 * second guest's connect is refused (ECONNREFUSED), as a second open of a port fails (EBUSY).
 * Confined to the simulator's thread.
 */
final class PortSocket {

    private final Path path;
    /** Where the next listener is bound before it is renamed over {@link #path}. */
    private final Path pathNext;
    private final Selector selector;
    private final Object attachment;
    /** Null while a guest holds the port. */
    private ServerSocketChannel listener;
    private SelectionKey key;

    PortSocket(Path path, Selector selector, Object attachment) {
        this.path = path;
        this.pathNext = path.resolveSibling(path.getFileName() + ".next");
        this.selector = selector;
        this.attachment = attachment;
    }

    /**
     * Listens at the path again. The listener is bound beside it and renamed over it, so a guest
     * never finds the path missing: until the rename it finds the old, closed socket and is
     * refused, as it would be by a port still held.
     */
    void listen() throws IOException {
        Files.deleteIfExists(pathNext);
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listening.bind(UnixDomainSocketAddress.of(pathNext), 1);
            listening.configureBlocking(false);
            Files.move(pathNext, path, StandardCopyOption.ATOMIC_MOVE);
            key = listening.register(selector, SelectionKey.OP_ACCEPT, attachment);
            listener = listening;
        } catch (IOException | RuntimeException e) {
            close(listening);
            Files.deleteIfExists(pathNext);
            throw e;
        }
    }

    /** The guest that connected, or null if none did (or nothing listens). */
    SocketChannel accept() throws IOException {
        return listener == null ? null : listener.accept();
    }

    /**
     * Stops listening: the port is held. Connects that raced in before this cannot be refused
     * any more and are closed at once (the guest reads end-of-file).
     *
     * <p>The JDK closes a channel registered with a selector only when the selector next
     * deregisters it; until then the kernel still queues connects (and resets them then).
     *
     * @return how many connects were closed at once
     */
    int stopListening() {
        int turnedAway = 0;
        try {
            for (SocketChannel extra; (extra = listener.accept()) != null; ) {
                close(extra);
                turnedAway++;
            }
        } catch (IOException e) {
            // The listener is closed next anyway.
        }
        key.cancel();
        close(listener);
        listener = null;
        key = null;
        return turnedAway;
    }

    /** Closes the listener, if any, and deletes the socket files. */
    void close() {
        close(listener);
        listener = null;
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(pathNext);
        } catch (IOException e) {
            // Best effort: a stale socket file is replaced by the next bind anyway.
        }
    }

    static void close(java.nio.channels.Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing is left to do with a socket that failed to close.
        }
    }
}
