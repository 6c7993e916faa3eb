package io.qtx.sim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One VM's simulated channel, as tests and the demo see it: its two socket paths, its counters,
 * and the two ways to cut it from QEMU's side. Safe to use from any thread.
 */
public final class SimulatedChannel {

    private final String vmId;
    private final Path hostSocket;
    private final Path guestSocket;
    /** Guards waiting on {@link #published}; the simulator's thread notifies it on every change. */
    private final Object changed = new Object();
    private volatile ChannelStats published;
    private volatile boolean closed;
    /** Runs an operation on the simulator's thread; set once the simulator knows this channel. */
    private volatile ChannelSimulator owner;
    private volatile ChannelRelay relay;

    SimulatedChannel(String vmId, Path hostSocket, Path guestSocket) {
        this.vmId = vmId;
        this.hostSocket = hostSocket;
        this.guestSocket = guestSocket;
    }

    void bind(ChannelSimulator owner, ChannelRelay relay) {
        this.owner = owner;
        this.relay = relay;
    }

    /** The VM this channel belongs to. */
    public String vmId() {
        return vmId;
    }

    /** {@code {dir}/{vm_id}.agent.sock}: the host daemon connects here, as to QEMU's chardev socket. */
    public Path hostSocket() {
        return hostSocket;
    }

    /**
     * {@code {dir}/{vm_id}.port.sock}: the guest daemon connects here as its port
     * ({@code unix:/path}). While a guest is attached nothing listens at this path, so another
     * guest's connect fails with ECONNREFUSED, the simulator's counterpart of the port's EBUSY.
     */
    public Path guestSocket() {
        return guestSocket;
    }

    /**
     * The counters now. Taken on the simulator's thread, so they include every byte that any
     * peer has already received or seen taken; once the simulator is closed, its last counters.
     */
    public ChannelStats stats() {
        if (!closed) {
            try {
                return owner.query(relay::snapshot);
            } catch (IllegalStateException e) {
                if (!owner.isStopped()) {
                    throw e;
                }
            }
        }
        return published;
    }

    /**
     * Waits until the counters satisfy {@code condition}.
     *
     * @return the first published counters that satisfy it
     * @throws TimeoutException when {@code timeout} passes first, or the channel closes first;
     *                          the message carries the last counters
     */
    public ChannelStats awaitStats(Predicate<ChannelStats> condition, Duration timeout)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                ChannelStats now = published;
                if (condition.test(now)) {
                    return now;
                }
                long left = deadline - System.nanoTime();
                if (closed || left <= 0) {
                    throw new TimeoutException("vm=" + vmId + (closed ? " closed" : " timeout=" + timeout)
                            + " while waiting; last stats: " + now.summary());
                }
                changed.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * How many host clients wait unserved in the host socket's backlog right now, as the kernel
     * reports them in {@code /proc/net/unix} (the simulator itself cannot see them until it
     * accepts one).
     */
    public int hostClientsWaiting() {
        return PendingConnections.count(hostSocket);
    }

    /**
     * Closes the served host client from QEMU's side (it reads end-of-file), as when QEMU drops
     * the connection; the next waiting client is then served.
     */
    public void dropHost() {
        ChannelRelay target = relay;
        owner.onLoop(target::dropHost);
    }

    /**
     * Closes the attached guest from the simulator's side (it reads end-of-file), as when the
     * guest's holder of the port dies; the port socket then listens for the next guest.
     */
    public void detachGuest() {
        ChannelRelay target = relay;
        owner.onLoop(target::detachGuest);
    }

    /**
     * Hangs up on the attached guest, as a real port does when its host leaves: the guest's
     * descriptor reports {@code IN|HUP}, reads 0 and fails writes ({@code EPIPE}, where a port
     * says {@code EAGAIN}), and stays so until the guest closes it; the port socket listens for
     * the guest's next open at once (reported as {@link Transition#GUEST_DETACHED}). A socket
     * cannot turn writable again as a port does when the next host comes: the guest opens again.
     */
    public void hangUpGuest() {
        ChannelRelay target = relay;
        owner.onLoop(target::hangUpGuest);
    }

    void publish(ChannelStats stats) {
        if (stats.equals(published)) {
            return;
        }
        published = stats;
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    void markClosed() {
        closed = true;
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    @Override
    public String toString() {
        return "SimulatedChannel[vm=" + vmId + " host=" + hostSocket + " guest=" + guestSocket + "]";
    }
}
