package io.qtx.sim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * QEMU's side of one channel: the host socket, the guest's port socket and the bytes between them.
 *
 * <p>Confined to the simulator's thread, the constructor included. Readiness is only a wake-up:
 * {@link #pump()} then tries every accept and every transfer that has room, so neither direction
 * ever waits for the other (a guest that does not read its bytes never holds up the bytes it
 * writes, and the same for the host).
 */
final class ChannelRelay {

    /**
     * Bytes the simulator itself holds per direction. Beyond it the kernel's socket buffers hold
     * more and then the writer's {@code write} blocks or returns 0, as with QEMU, which reads the
     * host socket only while the guest has room.
     */
    static final int RELAY_BUFFER_BYTES = 64 * 1024;

    /** QEMU listens with a backlog of 1; the kernel then queues two unserved connects (measured). */
    private static final int LISTEN_BACKLOG = 1;

    /** Rounds of {@link #pump()} per wake-up, so a busy channel cannot starve the others. */
    private static final int MAX_PUMP_ROUNDS = 16;

    private final String vmId;
    private final Path hostPath;
    private final Path guestPath;
    /** Where the next port socket is bound before it is renamed over {@link #guestPath}. */
    private final Path guestPathNext;
    private final Selector selector;
    private final TransitionListener listener;
    private final SimulatedChannel handle;

    private final ServerSocketChannel hostListener;
    private final SelectionKey hostListenerKey;
    /** The served host client; null while none is. */
    private SocketChannel host;
    private SelectionKey hostKey;
    /** Listening only while no guest is attached, so a second guest's connect is refused. */
    private ServerSocketChannel guestListener;
    private SelectionKey guestListenerKey;
    /** The attached guest; null while none is. */
    private SocketChannel guest;
    private SelectionKey guestKey;

    /** Host bytes on their way to the guest, kept in fill mode (position = bytes held). */
    private final ByteBuffer toGuest = ByteBuffer.allocate(RELAY_BUFFER_BYTES);
    /** Guest bytes on their way to the host client, kept in fill mode. */
    private final ByteBuffer toHost = ByteBuffer.allocate(RELAY_BUFFER_BYTES);
    /** Receives guest bytes that have no host client to go to. */
    private final ByteBuffer sink = ByteBuffer.allocate(4096);

    private long hostClientsServed;
    private long guestAttachments;
    private long bytesFromHost;
    private long bytesHostToGuest;
    private long hostBytesDropped;
    private long bytesFromGuest;
    private long bytesGuestToHost;
    private long guestBytesDropped;
    /** A guest was accepted and the port listener is closed, but the JDK has not let go of its socket yet. */
    private boolean portListenerClosing;
    /** Guests closed at once since the last attachment was announced. */
    private int turnedAway;
    private boolean closed;

    ChannelRelay(ChannelSimulator owner, String vmId, Path dir, Selector selector, TransitionListener listener)
            throws IOException {
        this.vmId = vmId;
        this.hostPath = dir.resolve(vmId + ".agent.sock").toAbsolutePath();
        this.guestPath = dir.resolve(vmId + ".port.sock").toAbsolutePath();
        this.guestPathNext = dir.resolve(vmId + ".port.sock.next").toAbsolutePath();
        this.selector = selector;
        this.listener = listener;
        this.handle = new SimulatedChannel(vmId, hostPath, guestPath);
        handle.bind(owner, this);
        // QEMU unlinks a leftover socket file before it binds; so do we.
        Files.deleteIfExists(hostPath);
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listening.bind(UnixDomainSocketAddress.of(hostPath), LISTEN_BACKLOG);
            listening.configureBlocking(false);
            this.hostListener = listening;
            this.hostListenerKey = listening.register(selector, SelectionKey.OP_ACCEPT, this);
            listenForGuest();
        } catch (IOException | RuntimeException e) {
            closeQuietly(listening);
            closeQuietly(guestListener);
            Files.deleteIfExists(hostPath);
            Files.deleteIfExists(guestPath);
            throw e;
        }
        publish();
        fire(Transition.OPENED);
    }

    SimulatedChannel handle() {
        return handle;
    }

    String vmId() {
        return vmId;
    }

    /** Serves the next pending host client, if there is one and none is served. */
    private boolean acceptHost() {
        SocketChannel client;
        try {
            client = hostListener.accept();
        } catch (IOException e) {
            return false; // the pending client gave up between readiness and accept; the next wake-up retries
        }
        if (client == null) {
            return false;
        }
        try {
            client.configureBlocking(false);
            hostKey = client.register(selector, 0, this);
        } catch (IOException e) {
            closeQuietly(client);
            return true;
        }
        host = client;
        hostClientsServed++;
        publish();
        fire(Transition.HOST_ACCEPTED);
        return true;
    }

    /** Attaches a guest that connected to the port socket, then stops listening there. */
    private boolean acceptGuest() {
        SocketChannel port;
        try {
            port = guestListener.accept();
            if (port == null) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        try {
            port.configureBlocking(false);
            guestKey = port.register(selector, 0, this);
        } catch (IOException e) {
            closeQuietly(port);
            return true;
        }
        guest = port;
        guestAttachments++;
        // Connects that raced in before the listener closes cannot be refused any more: close them now.
        try {
            for (SocketChannel extra; (extra = guestListener.accept()) != null; ) {
                closeQuietly(extra);
                turnedAway++;
            }
        } catch (IOException e) {
            // The listener is closed next anyway.
        }
        guestListenerKey.cancel();
        // The JDK closes a registered channel's socket only when the selector next deregisters
        // it; until then it still queues connects. The attachment is announced after that.
        closeQuietly(guestListener);
        guestListener = null;
        guestListenerKey = null;
        portListenerClosing = true;
        return true;
    }

    /** Whether the port listener awaits the selector's next deregistration to be really closed. */
    boolean portListenerClosing() {
        return portListenerClosing;
    }

    /**
     * Called by the loop once the selector has deregistered, and so closed, the port listener:
     * from now on a second guest is refused, so the guest counts as attached.
     */
    void portListenerClosed() {
        if (!portListenerClosing) {
            return;
        }
        portListenerClosing = false;
        publish();
        fire(Transition.GUEST_ATTACHED);
        for (; turnedAway > 0; turnedAway--) {
            fire(Transition.GUEST_TURNED_AWAY);
        }
    }

    /**
     * Moves every byte that can move now, in both directions, without blocking, then asks the
     * selector for the readiness that the remaining work waits for.
     */
    void pump() {
        for (int round = 0; round < MAX_PUMP_ROUNDS && !closed; round++) {
            boolean progress = false;
            if (host == null) {
                progress |= acceptHost();
            }
            if (guest == null) {
                progress |= acceptGuest();
            }
            if (host != null && toGuest.hasRemaining()) {
                progress |= readHost();
            }
            if (guest != null && toGuest.position() > 0) {
                progress |= writeGuest();
            }
            if (guest != null) {
                progress |= host != null ? readGuest() : drainGuest();
            }
            if (host != null && toHost.position() > 0) {
                progress |= writeHost();
            }
            if (!progress) {
                break;
            }
        }
        if (!closed) {
            updateInterest();
            publish();
        }
    }

    private boolean readHost() {
        try {
            int n = host.read(toGuest);
            if (n < 0) {
                hostGone(Transition.HOST_LEFT);
                return true;
            }
            bytesFromHost += n;
            return n > 0;
        } catch (IOException e) {
            hostGone(Transition.HOST_LEFT);
            return true;
        }
    }

    private boolean writeGuest() {
        toGuest.flip();
        int n = 0;
        IOException failure = null;
        try {
            n = guest.write(toGuest);
        } catch (IOException e) {
            failure = e;
        }
        toGuest.compact();
        if (failure != null) {
            guestGone(Transition.GUEST_LEFT);
            return true;
        }
        bytesHostToGuest += n;
        return n > 0;
    }

    private boolean readGuest() {
        if (!toHost.hasRemaining()) {
            return false;
        }
        try {
            int n = guest.read(toHost);
            if (n < 0) {
                guestGone(Transition.GUEST_LEFT);
                return true;
            }
            bytesFromGuest += n;
            return n > 0;
        } catch (IOException e) {
            guestGone(Transition.GUEST_LEFT);
            return true;
        }
    }

    /** No host client: the guest's bytes go nowhere (a real port would refuse them with EAGAIN). */
    private boolean drainGuest() {
        sink.clear();
        try {
            int n = guest.read(sink);
            if (n < 0) {
                guestGone(Transition.GUEST_LEFT);
                return true;
            }
            bytesFromGuest += n;
            guestBytesDropped += n;
            return n > 0;
        } catch (IOException e) {
            guestGone(Transition.GUEST_LEFT);
            return true;
        }
    }

    private boolean writeHost() {
        toHost.flip();
        int n = 0;
        IOException failure = null;
        try {
            n = host.write(toHost);
        } catch (IOException e) {
            failure = e;
        }
        toHost.compact();
        if (failure != null) {
            hostGone(Transition.HOST_LEFT);
            return true;
        }
        bytesGuestToHost += n;
        return n > 0;
    }

    private void updateInterest() {
        hostListenerKey.interestOps(host == null ? SelectionKey.OP_ACCEPT : 0);
        if (host != null) {
            hostKey.interestOps((toGuest.hasRemaining() ? SelectionKey.OP_READ : 0)
                    | (toHost.position() > 0 ? SelectionKey.OP_WRITE : 0));
        }
        if (guest != null) {
            guestKey.interestOps((host == null || toHost.hasRemaining() ? SelectionKey.OP_READ : 0)
                    | (toGuest.position() > 0 ? SelectionKey.OP_WRITE : 0));
        }
    }

    /**
     * The served host client is gone. As in QEMU, the guest bytes it had not received are lost,
     * and so are its bytes that never reached a guest; bytes already on their way to an attached
     * guest still arrive there, so a new client's bytes follow them back to back.
     */
    private void hostGone(Transition why) {
        if (host == null) {
            return;
        }
        hostKey.cancel();
        closeQuietly(host);
        host = null;
        hostKey = null;
        guestBytesDropped += toHost.position();
        toHost.clear();
        if (guest == null) {
            hostBytesDropped += toGuest.position();
            toGuest.clear();
        }
        publish();
        fire(why);
    }

    /** The guest is gone: the port socket listens again, and bytes not yet written stay for the next guest. */
    private void guestGone(Transition why) {
        if (guest == null) {
            return;
        }
        portListenerClosed(); // a guest that leaves at once was still attached first
        guestKey.cancel();
        closeQuietly(guest);
        guest = null;
        guestKey = null;
        if (!closed) {
            try {
                listenForGuest();
            } catch (IOException e) {
                throw new IllegalStateException("vm=" + vmId + ": cannot listen again on " + guestPath, e);
            }
        }
        publish();
        fire(why);
    }

    /**
     * Binds a fresh port socket beside the old path and renames it over, so a guest never finds
     * the path missing: until the rename it still finds the old, closed socket and gets
     * ECONNREFUSED, as it would get EBUSY from a port that is still held.
     */
    private void listenForGuest() throws IOException {
        Files.deleteIfExists(guestPathNext);
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listening.bind(UnixDomainSocketAddress.of(guestPathNext), LISTEN_BACKLOG);
            listening.configureBlocking(false);
            Files.move(guestPathNext, guestPath, StandardCopyOption.ATOMIC_MOVE);
            guestListenerKey = listening.register(selector, SelectionKey.OP_ACCEPT, this);
            guestListener = listening;
        } catch (IOException | RuntimeException e) {
            closeQuietly(listening);
            Files.deleteIfExists(guestPathNext);
            throw e;
        }
    }

    void dropHost() {
        hostGone(Transition.HOST_DROPPED);
        pump();
    }

    void detachGuest() {
        guestGone(Transition.GUEST_DETACHED);
        pump();
    }

    /** Closes every socket of the channel and deletes its socket files. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(host);
        closeQuietly(guest);
        closeQuietly(hostListener);
        closeQuietly(guestListener);
        host = null;
        guest = null;
        guestListener = null;
        try {
            Files.deleteIfExists(hostPath);
            Files.deleteIfExists(guestPath);
            Files.deleteIfExists(guestPathNext);
        } catch (IOException e) {
            // Best effort: a stale socket file is unlinked by the next bind anyway.
        }
        publish();
        fire(Transition.CLOSED);
        handle.markClosed();
    }

    /** Publishes the current counters to the handle, where other threads wait on them. */
    void publish() {
        handle.publish(snapshot());
    }

    ChannelStats snapshot() {
        return new ChannelStats(
                host != null, hostClientsServed, guest != null && !portListenerClosing, guestAttachments,
                bytesFromHost, bytesHostToGuest, toGuest.position(), hostBytesDropped,
                bytesFromGuest, bytesGuestToHost, toHost.position(), guestBytesDropped);
    }

    private void fire(Transition transition) {
        try {
            listener.onTransition(vmId, transition, snapshot());
        } catch (RuntimeException e) {
            System.getLogger(ChannelRelay.class.getName()).log(System.Logger.Level.WARNING,
                    "vm=" + vmId + " transition=" + transition + ": listener failed", e);
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
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
