package io.qtx.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.qtx.epoll.Timer;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.SocketQueues;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Ping;
import io.qtx.proto.Request;
import io.qtx.session.Session;

/**
 * qx-node's side of one VM: a state machine over at most one connection to the VM's socket.
 * The old connection is always closed before a new one is opened, and a connect still in
 * progress when the VM goes away is closed the moment it completes. Loop thread only.
 */
final class VmConnection implements Session.Listener {

    private static final System.Logger LOG = System.getLogger(VmConnection.class.getName());
    private static final int TRANSITIONS_KEPT = 32;
    private static final String HEARTBEAT = "heartbeat ping";

    private final Node node;
    private final VmId id;
    private final Path socket;
    private final NodeConfig config;
    private final RequestTracker requests;
    private final TelemetryStore telemetry;
    private final Backoff backoff;
    private final GuestLimits limits;
    private final Conduct conduct;
    /** The current session's counters as last sampled into {@link #conduct}. */
    private SessionFigures sampled;
    /** Of the current session's Hellos, those already counted as unanswered. */
    private long unansweredCounted;
    /** Set while qx-node itself closes the session to quarantine the VM. */
    private boolean quarantining;
    private String lastReportRefusal;
    private final ArrayDeque<Transition> transitions = new ArrayDeque<>();
    private final Timer heartbeat;
    private VmState state;
    private String message;
    private long stateSinceMs;
    private Session session;
    private boolean connecting;
    /** Bumped on every connect and on removal, so a stale connect completion is recognised. */
    private int generation;
    private boolean removed;
    private Timer reconnectTimer;
    private Timer servedCheck;
    private long lastReceivedNanos;
    private long lastReceivedUnixMs;
    private Hello peer;
    private long connects;
    private long disconnects;
    private long resyncs;
    private long notServedEpisodes;
    private long lastRttNanos = -1;
    private int unreadByQemu;

    VmConnection(Node node, VmId id, Path socket) {
        this.node = node;
        this.id = id;
        this.socket = socket;
        this.config = node.config();
        this.requests = new RequestTracker(node.loop(), id.value(), this::requestTimedOut);
        this.limits = node.limits();
        this.telemetry = new TelemetryStore(config.historySize(), limits.historyBytes());
        this.conduct = new Conduct(limits, System.nanoTime());
        this.backoff = new Backoff(config.backoffMin(), config.backoffMax(), node.random());
        Duration beat = config.heartbeatInterval();
        this.heartbeat = node.loop().scheduleAtFixedRate(beat, beat, this::checkHeartbeat);
        transition(VmState.DISCOVERED, "socket " + socket + " appeared");
    }

    VmId id() {
        return id;
    }

    VmState state() {
        return state;
    }

    long disconnects() {
        return disconnects;
    }

    void connect() {
        if (removed || connecting || session != null) {
            return; // at most one connection per socket
        }
        cancel(reconnectTimer);
        reconnectTimer = null;
        connecting = true;
        connects++;
        int attempt = ++generation;
        transition(VmState.CONNECTING, "connecting to " + socket);
        UnixSockets.connect(node.loop(), socket.toString(), new UnixSockets.ConnectCallback() {
            @Override
            public void connected(Fd fd) {
                onConnected(attempt, fd);
            }

            @Override
            public void failed(IOException cause) {
                if (attempt == generation) {
                    connecting = false;
                    lost(cause.getMessage());
                }
            }
        });
    }

    private void onConnected(int attempt, Fd fd) {
        if (attempt != generation || removed) {
            fd.close();
            return;
        }
        connecting = false;
        unreadByQemu = 0;
        Session s = node.newSession(fd, this, id.value());
        s.helloBackoff(limits.helloRetryMax());
        session = s;
        sampled = null;
        unansweredCounted = 0;
        transition(VmState.HANDSHAKING, "connected; hello sent, waiting for the agent's answer");
        try {
            s.start();
        } catch (NativeException e) {
            // start() closed the channel, and onClosed has already recorded the loss.
            return;
        }
        servedCheck = node.loop().scheduleAtFixedRate(config.servedCheck(), config.servedCheck(), this::checkServed);
    }

    /**
     * Connected but no answer yet: either QEMU reads us and no agent answers, or QEMU never
     * reads us because another client holds its socket and we sit in the listen backlog.
     * What we wrote and nobody read tells the two apart.
     */
    private void checkServed() {
        Session s = session;
        if (s == null || s.isReady() || !s.isOpen()
                || state != VmState.HANDSHAKING && state != VmState.NOT_SERVED) {
            return;
        }
        int previous = unreadByQemu;
        try {
            unreadByQemu = SocketQueues.unreadByPeer(s.channel().fd());
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
            if (state != VmState.NOT_SERVED) {
                notServedEpisodes++;
            }
            transition(VmState.NOT_SERVED, "connected, but QEMU has not read the " + unreadByQemu
                    + " bytes we sent and its socket has a queue: another client holds this VM's channel (a second"
                    + " qx-node, socat, a console?) and we wait in QEMU's listen backlog; served once it disconnects");
        } else if (held) {
            transition(VmState.HANDSHAKING, "connected; QEMU holds our hello unread: the guest has not opened the"
                    + " port (agent not running or not installed, or the guest still booting)");
        } else if (s.channel().readerStats().bytesSkipped() > 0 || s.channel().envelopesRejected() > 0) {
            transition(VmState.HANDSHAKING, "connected and QEMU reads us, but what comes back is not our protocol ("
                    + s.channel().readerStats().bytesSkipped() + " bytes skipped, " + s.channel().envelopesRejected()
                    + " payloads refused): not a qtx agent on this port, or a damaged channel");
        } else {
            transition(VmState.HANDSHAKING, "connected and QEMU reads us, but no agent answered our hello:"
                    + " the agent is not running, or is stuck");
        }
    }

    @Override
    public void onReady(Hello peerHello) {
        cancel(servedCheck);
        servedCheck = null;
        unreadByQemu = 0;
        peer = peerHello;
        backoff.reset();
        markReceived();
        transition(VmState.READY, "agent " + GuestText.safe(peerHello.getSoftwareVersion(), 64) + " on "
                + GuestText.safe(peerHello.getHostname(), 64) + " ready");
    }

    @Override
    public void onEnvelope(Envelope envelope) {
        markReceived();
        if (state == VmState.UNRESPONSIVE) {
            transition(VmState.READY, "the agent speaks again");
        }
        if (envelope.getPayloadCase() == Envelope.PayloadCase.TELEMETRY) {
            String refused = GuestMessages.checkTelemetry(envelope.getTelemetry(), limits.maxReportBytes());
            if (refused != null || !telemetry.add(envelope.getTelemetry(), lastReceivedUnixMs)) {
                lastReportRefusal = refused == null ? "over the history's byte bound" : refused;
                conduct.reportRefused();
                return;
            }
            node.events().publish(NodeEvent.telemetry(id.value(), state, envelope.getTelemetry(), lastReceivedUnixMs));
        } else if (envelope.getReplyTo() != 0) {
            requests.complete(envelope);
        }
    }

    @Override
    public void onNotReady(String reason) {
        if (state == VmState.READY) {
            transition(VmState.HANDSHAKING, "re-syncing: " + reason);
        }
        if (servedCheck == null && session != null) {
            servedCheck = node.loop().scheduleAtFixedRate(config.servedCheck(), config.servedCheck(), this::checkServed);
        }
    }

    @Override
    public void onClosed(IOException cause) {
        Session s = session;
        if (s != null) {
            sample(s);
        }
        session = null;
        cancel(servedCheck);
        servedCheck = null;
        if (!removed && !quarantining) {
            lost(cause == null ? "connection closed" : cause.getMessage());
        }
    }

    /** Adds what the session counted since the last sample to the VM's conduct. */
    private void sample(Session s) {
        SessionFigures now = SessionFigures.of(s);
        SessionFigures before = sampled;
        long throttles = now.throttles() - (before == null ? 0 : before.throttles());
        long skipped = now.bytesSkipped() - (before == null ? 0 : before.bytesSkipped());
        long refused = now.envelopesRefused() - (before == null ? 0 : before.envelopesRefused());
        long pings = now.pingsRefused() - (before == null ? 0 : before.pingsRefused());
        conduct.throttled(throttles);
        conduct.garbage(skipped, refused);
        conduct.pingsRefused(pings);
        boolean guestSpeaks = now.bytesSkipped() > 0 || now.framesReceived() > 0 || now.envelopesRefused() > 0;
        if (!s.isReady() && guestSpeaks) {
            // The first Hello of a connection is not an offence; each repeat the guest ignores is.
            long unanswered = Math.max(0, now.handshakes() - 1);
            conduct.handshakeUnanswered(Math.max(0, unanswered - unansweredCounted));
            unansweredCounted = Math.max(unansweredCounted, unanswered);
        }
        sampled = now;
    }

    /** Samples the session and quarantines the VM if its conduct says so. */
    private void judge() {
        Session s = session;
        if (s != null) {
            sample(s);
        }
        String why = conduct.judge(System.nanoTime(), state == VmState.READY);
        if (why != null && !removed) {
            quarantine(why);
        }
    }

    /**
     * Closes the connection and waits a growing back-off before the next attempt: a guest
     * that misbehaves costs qx-node almost nothing meanwhile.
     */
    private void quarantine(String why) {
        Duration delay = conduct.quarantine(why, System.currentTimeMillis());
        Conduct.Figures f = conduct.figures();
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the VM is quarantined: " + why));
        Session s = session;
        if (s != null) {
            quarantining = true;
            session = null;
            try {
                s.close();
            } finally {
                quarantining = false;
            }
            disconnects++;
        }
        cancel(servedCheck);
        servedCheck = null;
        cancel(reconnectTimer);
        boolean warn = conduct.mayWarn(System.nanoTime());
        transition(VmState.MISBEHAVING, why + "; quarantine #" + f.quarantines() + ", next attempt in "
                + delay.toSeconds() + " s (throttles " + f.throttles() + ", garbage bytes " + f.garbageBytes()
                + ", refused envelopes " + f.envelopesRefused() + ", refused reports " + f.reportsRefused()
                + ", unanswered hellos " + f.handshakesUnanswered() + ", unresponsive " + f.unresponsiveEpisodes() + ")",
                warn ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG);
        reconnectTimer = node.loop().schedule(delay, this::connect);
    }

    private void lost(String why) {
        disconnects++;
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the connection to the agent was lost (" + why + ")"));
        transition(VmState.DISCONNECTED, why);
        Duration delay = backoff.next();
        transition(VmState.RECONNECTING, "next attempt in " + delay.toMillis() + " ms");
        reconnectTimer = node.loop().schedule(delay, this::connect);
    }

    /** Telemetry and pongs are the heartbeat: QEMU never says when a guest agent dies. */
    private void checkHeartbeat() {
        judge();
        if (state != VmState.READY && state != VmState.UNRESPONSIVE) {
            return;
        }
        long silentNanos = System.nanoTime() - lastReceivedNanos;
        if (state == VmState.READY && silentNanos >= config.unresponsiveAfter().toNanos()) {
            transition(VmState.UNRESPONSIVE, "nothing from the agent for " + silentNanos / 1_000_000
                    + " ms (no telemetry, no pong): the agent may have died or the guest hung");
            conduct.unresponsive();
            resyncs++;
            if (session != null) {
                session.rehandshake("unresponsive");
            }
            return;
        }
        if (silentNanos >= config.heartbeatInterval().toNanos() && session != null && session.isReady()) {
            send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()), HEARTBEAT,
                    config.heartbeatInterval()).exceptionally(t -> null);
        }
    }

    private void markReceived() {
        lastReceivedNanos = System.nanoTime();
        lastReceivedUnixMs = System.currentTimeMillis();
    }

    /** Sends a request and waits for its answer; fails at once unless the agent is ready. */
    CompletableFuture<RequestTracker.Answer> request(Request.Builder request, String what, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        if (session != null) {
            deadline += session.peerClockOffsetMs();
        }
        request.setDeadlineUnixMs(deadline);
        return send(Envelope.newBuilder().setRequest(request), what, timeout);
    }

    CompletableFuture<Long> ping(Duration timeout) {
        return send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()), "ping", timeout)
                .thenApply(answer -> {
                    lastRttNanos = answer.rttNanos();
                    return answer.rttNanos();
                });
    }

    private CompletableFuture<RequestTracker.Answer> send(Envelope.Builder envelope, String what, Duration timeout) {
        if (state != VmState.READY && state != VmState.UNRESPONSIVE || session == null || !session.isReady()) {
            return CompletableFuture.failedFuture(new NodeException(NodeException.Code.AGENT_NOT_READY,
                    id + ": agent not ready (" + state.json() + ": " + message + ")"));
        }
        long envelopeId = session.send(envelope, 0);
        if (envelopeId < 0) {
            return CompletableFuture.failedFuture(new NodeException(NodeException.Code.AGENT_BUSY,
                    id + ": outbound queue full; the agent is not reading"));
        }
        return requests.track(envelopeId, what, timeout);
    }

    private void requestTimedOut(String what) {
        if (what.equals(HEARTBEAT)) {
            return; // silence is judged by checkHeartbeat, which re-syncs once the VM is unresponsive
        }
        resyncs++;
        if (session != null && session.isOpen()) {
            session.rehandshake(what + " timed out");
        }
    }

    /** The socket file went away: close, fail what waits, forget. */
    void remove() {
        removed = true;
        generation++;
        cancel(reconnectTimer);
        cancel(servedCheck);
        heartbeat.cancel();
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED, id + ": the VM's socket went away"));
        if (session != null) {
            Session s = session;
            session = null;
            s.close();
        }
        transition(VmState.REMOVED, "socket " + socket + " went away");
    }

    private void transition(VmState next, String why) {
        transition(next, why, next == VmState.NOT_SERVED || next == VmState.UNRESPONSIVE ? System.Logger.Level.WARNING
                : System.Logger.Level.INFO);
    }

    private void transition(VmState next, String why, System.Logger.Level level) {
        if (next == state && why.equals(message)) {
            return;
        }
        VmState previous = state;
        state = next;
        message = why;
        stateSinceMs = System.currentTimeMillis();
        if (transitions.size() == TRANSITIONS_KEPT) {
            transitions.removeFirst();
        }
        transitions.addLast(new Transition(next, why, stateSinceMs));
        // Messages quote guest text (already escaped where it is put in); escaping the whole line
        // again keeps any later message that forgets from ending the line or forging the next.
        LOG.log(level, "{0}: {1} -> {2}: {3}", id, previous == null ? "-" : previous.json(), next.json(),
                GuestText.safe(why, 1024));
        node.events().publish(NodeEvent.state(id.value(), next, why, stateSinceMs));
    }

    private static void cancel(Timer t) {
        if (t != null) {
            t.cancel();
        }
    }

    /** A consistent picture for the API and qxctl doctor. */
    VmSnapshot snapshot() {
        long now = System.currentTimeMillis();
        TelemetryEntry latest = telemetry.latest();
        Session s = session;
        return new VmSnapshot(id.value(), socket.toString(), state, message, stateSinceMs, List.copyOf(transitions),
                peer, lastReceivedUnixMs, lastRttNanos, connects, disconnects, resyncs,
                notServedEpisodes, requests.timeouts(), requests.unmatched(), requests.size(), unreadByQemu,
                s == null ? null : SessionFigures.of(s), latest == null ? null : latest.report(),
                latest == null ? 0 : latest.receivedUnixMs(), telemetry.isStale(now, config.staleAfter().toMillis()),
                telemetry.received(), conduct.figures(), conduct.lastQuarantine(), telemetry.bytes(),
                lastReportRefusal);
    }

    List<TelemetryEntry> telemetryHistory() {
        return telemetry.history();
    }
}
