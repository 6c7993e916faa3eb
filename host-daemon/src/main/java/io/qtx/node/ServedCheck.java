package io.qtx.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;
import io.qtx.ffi.NativeException;
import io.qtx.session.Session;

/**
 * The diagnosis of a VM that is connected but not answering yet: either QEMU reads us and no
 * agent answers, or QEMU never reads us because another client holds its socket and we sit in
 * the listen backlog. What we wrote and nobody read tells the two apart. Loop thread only.
 */
final class ServedCheck {

    private final EventLoop loop;
    private final Duration every;
    private final Path socket;
    private final Supplier<Session> session;
    private final Supplier<VmState> state;
    private final BiConsumer<VmEvent, String> transition;
    private Timer timer;
    private int unreadByQemu;
    private long notServedEpisodes;

    ServedCheck(EventLoop loop, Duration every, Path socket, Supplier<Session> session, Supplier<VmState> state,
                BiConsumer<VmEvent, String> transition) {
        this.loop = loop;
        this.every = every;
        this.socket = socket;
        this.session = session;
        this.state = state;
        this.transition = transition;
    }

    /** Does what a {@link VmEvent} says to the check; {@code connected}: a session exists. */
    void apply(VmEvent.Served effect, boolean connected) {
        switch (effect) {
            case START_FRESH -> {
                clear();
                start();
            }
            case START -> {
                if (connected) {
                    start();
                }
            }
            case STOP -> stop();
            case STOP_FRESH -> {
                stop();
                clear();
            }
            case NONE -> {
            }
        }
    }

    /** Checks every interval until stopped; does nothing when already checking. */
    void start() {
        if (timer == null) {
            timer = loop.scheduleAtFixedRate(every, every, this::check);
        }
    }

    void stop() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Forgets what QEMU left unread: a new connection, or the agent answered. */
    void clear() {
        unreadByQemu = 0;
    }

    int unreadByQemu() {
        return unreadByQemu;
    }

    long notServedEpisodes() {
        return notServedEpisodes;
    }

    private void check() {
        Session s = session.get();
        VmState now = state.get();
        if (s == null || s.isReady() || !s.isOpen() || now != VmState.HANDSHAKING && now != VmState.NOT_SERVED) {
            return;
        }
        int previous = unreadByQemu;
        try {
            unreadByQemu = s.unreadByPeer();
        } catch (NativeException e) {
            return;
        }
        // Bytes just written are briefly unread even on a served socket; only bytes still unread
        // at two checks in a row mean nobody reads.
        boolean held = unreadByQemu > 0 && previous > 0;
        if (unreadByQemu > 0 && !held) {
            return; // judge at the next check
        }
        if (held && Backlog.queued(socket) > 0) {
            if (now != VmState.NOT_SERVED) {
                notServedEpisodes++;
            }
            transition.accept(VmEvent.NOT_SERVED, "connected, but QEMU has not read the " + unreadByQemu
                    + " bytes we sent and its socket has a queue: another client holds this VM's channel (a second"
                    + " qx-node, socat, a console?) and we wait in QEMU's listen backlog; served once it disconnects");
        } else if (held) {
            transition.accept(VmEvent.SERVED_BUT_UNANSWERED, "connected; QEMU holds our hello unread: the guest has not opened"
                    + " the port (agent not running or not installed, or the guest still booting)");
        } else if (s.counters().bytesSkipped() > 0 || s.counters().envelopesRefused() > 0) {
            // Bytes come back, but not our protocol: garbage is told apart from an absent agent.
            transition.accept(VmEvent.SERVED_BUT_UNANSWERED, "connected and QEMU reads us, but what comes back is not our"
                    + " protocol (" + s.counters().bytesSkipped() + " bytes skipped, "
                    + s.counters().envelopesRefused() + " payloads refused): not a qtx agent on this port, or a damaged"
                    + " channel");
        } else {
            transition.accept(VmEvent.SERVED_BUT_UNANSWERED, "connected and QEMU reads us, but no agent answered our hello:"
                    + " the agent is not running, or is stuck");
        }
    }
}
