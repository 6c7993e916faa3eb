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

/**
 * QEMU's side of one channel: who is connected on each end, and the two pipes between them.
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

    /** One non-blocking transfer: bytes moved, 0 for none, -1 at end-of-file. */
    @FunctionalInterface
    private interface Transfer {
        int run() throws IOException;
    }

    private final String vmId;
    private final Path hostPath;
    private final Selector selector;
    private final TransitionListener listener;
    private final SimulatedChannel handle;

    private final ServerSocketChannel hostListener;
    private final SelectionKey hostListenerKey;
    /** The served host client; null while none is. */
    private SocketChannel host;
    private SelectionKey hostKey;
    private final PortSocket port;
    /** The attached guest; null while none is. */
    private SocketChannel guest;
    private SelectionKey guestKey;

    private final Pipe toGuest = new Pipe(RELAY_BUFFER_BYTES);
    private final Pipe toHost = new Pipe(RELAY_BUFFER_BYTES);
    private long hostClientsServed;
    private long guestAttachments;
    /** A guest was accepted, but the JDK has not let go of the port listener's socket yet. */
    private boolean portListenerClosing;
    /**
     * Guests the port hung up on: shut both ways, kept open until the channel closes, because a
     * Unix socket closed with unread bytes resets its peer, and a port's hang-up never does.
     */
    private final java.util.List<SocketChannel> hungUp = new java.util.ArrayList<>();
    /** Guests closed at once since the last attachment was announced. */
    private int turnedAway;
    private boolean closed;

    ChannelRelay(ChannelSimulator owner, String vmId, Path dir, Selector selector, TransitionListener listener)
            throws IOException {
        this.vmId = vmId;
        this.hostPath = dir.resolve(vmId + ".agent.sock").toAbsolutePath();
        Path guestPath = dir.resolve(vmId + ".port.sock").toAbsolutePath();
        this.selector = selector;
        this.listener = listener;
        this.handle = new SimulatedChannel(vmId, hostPath, guestPath);
        handle.bind(owner, this);
        this.port = new PortSocket(guestPath, selector, this);
        // QEMU unlinks a leftover socket file before it binds; so do we.
        Files.deleteIfExists(hostPath);
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listening.bind(UnixDomainSocketAddress.of(hostPath), LISTEN_BACKLOG);
            listening.configureBlocking(false);
            this.hostListener = listening;
            this.hostListenerKey = listening.register(selector, SelectionKey.OP_ACCEPT, this);
            port.listen();
        } catch (IOException | RuntimeException e) {
            PortSocket.close(listening);
            port.close();
            Files.deleteIfExists(hostPath);
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

    /** Serves the next waiting host client, if there is one; called only while none is served. */
    private boolean acceptHost() {
        SocketChannel client = accept(hostListener::accept);
        if (client == null) {
            return false;
        }
        hostKey = client.keyFor(selector);
        host = client;
        hostClientsServed++;
        publish();
        fire(Transition.HOST_ACCEPTED);
        return true;
    }

    /** Attaches a guest that connected to the port socket; called only while none is attached. */
    private boolean acceptGuest() {
        SocketChannel connected = accept(port::accept);
        if (connected == null) {
            return false;
        }
        guestKey = connected.keyFor(selector);
        guest = connected;
        guestAttachments++;
        turnedAway += port.stopListening();
        portListenerClosing = true; // announced by portListenerClosed()
        return true;
    }

    /** Where a connection comes from: a listener's non-blocking accept. */
    @FunctionalInterface
    private interface Acceptor {
        SocketChannel accept() throws IOException;
    }

    /** The next connection, made non-blocking and registered with no interest yet; null if none could be. */
    private SocketChannel accept(Acceptor acceptor) {
        SocketChannel connected;
        try {
            connected = acceptor.accept();
        } catch (IOException e) {
            return null; // the peer gave up between readiness and accept; the next wake-up retries
        }
        if (connected == null) {
            return null;
        }
        try {
            connected.configureBlocking(false);
            connected.register(selector, 0, this);
            return connected;
        } catch (IOException e) {
            PortSocket.close(connected);
            return null;
        }
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
            if (host != null) {
                progress |= fromHost(() -> toGuest.fill(host));
            }
            if (guest != null && toGuest.held() > 0) {
                progress |= fromGuest(() -> toGuest.drain(guest));
            }
            if (guest != null) {
                // With no host client the guest's bytes go nowhere; a real port would refuse them (EAGAIN).
                progress |= fromGuest(host != null ? () -> toHost.fill(guest) : () -> toHost.discard(guest));
            }
            if (host != null && toHost.held() > 0) {
                progress |= fromHost(() -> toHost.drain(host));
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

    private boolean fromHost(Transfer transfer) {
        return moved(transfer, () -> hostGone(Transition.HOST_LEFT));
    }

    private boolean fromGuest(Transfer transfer) {
        return moved(transfer, () -> guestGone(Transition.GUEST_LEFT));
    }

    /** Runs a transfer: whether bytes moved. Its socket's end or failure is that side leaving. */
    private static boolean moved(Transfer transfer, Runnable gone) {
        try {
            int n = transfer.run();
            if (n >= 0) {
                return n > 0;
            }
        } catch (IOException e) {
            // Reset or broken pipe: that side is gone, as at end-of-file.
        }
        gone.run();
        return true;
    }

    private void updateInterest() {
        hostListenerKey.interestOps(host == null ? SelectionKey.OP_ACCEPT : 0);
        if (host != null) {
            hostKey.interestOps((toGuest.hasRoom() ? SelectionKey.OP_READ : 0)
                    | (toHost.held() > 0 ? SelectionKey.OP_WRITE : 0));
        }
        if (guest != null) {
            guestKey.interestOps((host == null || toHost.hasRoom() ? SelectionKey.OP_READ : 0)
                    | (toGuest.held() > 0 ? SelectionKey.OP_WRITE : 0));
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
        PortSocket.close(host);
        host = null;
        hostKey = null;
        toHost.dropHeld();
        if (guest == null) {
            toGuest.dropHeld();
        }
        publish();
        fire(why);
    }

    /** The guest is gone: the port socket listens again, and bytes not yet written stay for the next guest. */
    private void guestGone(Transition why) {
        guestGone(why, false);
    }

    private void guestGone(Transition why, boolean hangUp) {
        if (guest == null) {
            return;
        }
        portListenerClosed(); // a guest that leaves at once was still attached first
        guestKey.cancel();
        if (hangUp) {
            try {
                guest.shutdownInput();
                guest.shutdownOutput();
                hungUp.add(guest);
            } catch (IOException e) {
                PortSocket.close(guest); // the guest left meanwhile: nothing is left to hang up
            }
        } else {
            PortSocket.close(guest);
        }
        guest = null;
        guestKey = null;
        if (!closed) {
            try {
                port.listen();
            } catch (IOException e) {
                throw new IllegalStateException("vm=" + vmId + ": cannot listen again for a guest", e);
            }
        }
        publish();
        fire(why);
    }

    void dropHost() {
        hostGone(Transition.HOST_DROPPED);
        pump();
    }

    void detachGuest() {
        guestGone(Transition.GUEST_DETACHED);
        pump();
    }

    void hangUpGuest() {
        pump(); // what the guest wrote so far is relayed, as a port delivers what it had queued
        guestGone(Transition.GUEST_DETACHED, true);
        pump();
    }

    /** Closes every socket of the channel and deletes its socket files. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        PortSocket.close(host);
        PortSocket.close(guest);
        hungUp.forEach(PortSocket::close);
        hungUp.clear();
        PortSocket.close(hostListener);
        port.close();
        host = null;
        guest = null;
        try {
            Files.deleteIfExists(hostPath);
        } catch (IOException e) {
            // Best effort: a stale socket file is replaced by the next bind anyway.
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
                toGuest.bytesIn(), toGuest.bytesOut(), toGuest.held(), toGuest.bytesDropped(),
                toHost.bytesIn(), toHost.bytesOut(), toHost.held(), toHost.bytesDropped());
    }

    private void fire(Transition transition) {
        try {
            listener.onTransition(vmId, transition, snapshot());
        } catch (RuntimeException e) {
            System.getLogger(ChannelRelay.class.getName()).log(System.Logger.Level.WARNING,
                    "vm=" + vmId + " transition=" + transition + ": listener failed", e);
        }
    }
}
