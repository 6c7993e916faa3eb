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
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Ping;
import io.qtx.proto.Request;
import io.qtx.session.Session;
import io.qtx.session.SessionCounters;

/**
 * qx-node's side of one VM: a state machine over at most one connection to the VM's socket.
 * The old connection is always closed before a new one is opened, and a connect still in
 * progress when the VM goes away is closed the moment it completes. Loop thread only.
 *
 * <p>Ready means answering pings: after every handshake the VM stays handshaking until a
 * probe ping ({@link Liveness}) is answered; a probe not answered in time fails every waiting
 * request with AGENT_UNRESPONSIVE, marks the VM unresponsive and re-syncs. Whenever the
 * session starts over, what waits fails at once: AGENT_RESTARTED when the agent's instance
 * changed, else AGENT_DISCONNECTED. A request's own timeout only probes; it never re-syncs a
 * session that still answers pings.
 */
final class VmConnection implements Session.Listener {

    private static final System.Logger LOG = System.getLogger(VmConnection.class.getName());
    private static final int TRANSITIONS_KEPT = 32;
    private static final String HEARTBEAT = "heartbeat ping";
    private static final String PROBE = "probe ping";
    /** A clock sample older than this is refreshed with a heartbeat ping, however chatty the agent. */
    static final Duration CLOCK_REFRESH = Duration.ofSeconds(30);

    private final Node node;
    private final VmId id;
    private final Path socket;
    private final NodeConfig config;
    private final RequestTracker requests;
    private final TelemetryStore telemetry;
    private final Backoff backoff;
    private final GuestLimits limits;
    private final Conduct conduct;
    /** Set while qx-node itself closes the session to quarantine the VM. */
    private boolean quarantining;
    /** A handshake completed and no pong has come since: liveness failing now is an offence. */
    private boolean handshakenSincePong;
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
    private long lastReceivedNanos;
    private long lastReceivedUnixMs;
    private Hello peer;
    private long connects;
    private long disconnects;
    private long resyncs;
    private long lastRttNanos = -1;
    private final Liveness liveness;
    private final ServedCheck served;
    /** The counters of this VM's connections that have ended, summed. */
    private SessionCounters closedSessions = SessionCounters.ZERO;

    VmConnection(Node node, VmId id, Path socket) {
        this.node = node;
        this.id = id;
        this.socket = socket;
        this.config = node.config();
        this.requests = new RequestTracker(node.loop(), id.value(), this::requestTimedOut);
        this.limits = node.limits();
        this.telemetry = new TelemetryStore(config.historySize(), limits.historyBytes(), limits.maxReportBytes());
        this.conduct = new Conduct(limits, System.nanoTime());
        this.backoff = new Backoff(config.backoffMin(), config.backoffMax(), node.random());
        Duration beat = config.heartbeatInterval();
        this.heartbeat = node.loop().scheduleAtFixedRate(beat, beat, this::checkHeartbeat);
        this.liveness = new Liveness(node.loop(), config.probeTimeout(), new Probed());
        this.served = new ServedCheck(node.loop(), config.servedCheck(), socket, () -> session, () -> state,
                this::transition);
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
        served.clear();
        Session s = node.newSession(fd, this, id.value());
        s.helloBackoff(limits.helloRetryMax());
        session = s;
        conduct.newConnection();
        transition(VmState.HANDSHAKING, "connected; hello sent, waiting for the agent's answer");
        try {
            s.start();
        } catch (NativeException e) {
            // start() closed the channel, and onClosed has already recorded the loss.
            return;
        }
        served.start();
    }

    @Override
    public void onReady(Hello peerHello) {
        handshakenSincePong = true;
        served.stop();
        served.clear();
        boolean restarted = peer != null && !peer.getInstanceId().equals(peerHello.getInstanceId());
        // Whatever still waits was sent in an earlier session: its answer can no longer come.
        requests.failAll(restarted ? restartedError() : new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the agent started its session over; the request does not run after its deadline"));
        peer = peerHello;
        backoff.reset();
        markReceived();
        if (state != VmState.UNRESPONSIVE) {
            transition(VmState.HANDSHAKING, "handshake done with agent " + GuestText.safe(peerHello.getSoftwareVersion(), 64)
                    + " on " + GuestText.safe(peerHello.getHostname(), 64) + "; waiting for its first pong");
        }
        liveness.probe("after the handshake");
    }

    @Override
    public void onPeerRestarted(Hello newPeer) {
        requests.failAll(restartedError());
    }

    private NodeException restartedError() {
        return new NodeException(NodeException.Code.AGENT_RESTARTED,
                id + ": the agent restarted (new instance id); the request was lost with the old process");
    }

    @Override
    public void onEnvelope(Envelope envelope) {
        markReceived();
        if (envelope.getPayloadCase() == Envelope.PayloadCase.TELEMETRY) {
            if (!telemetry.offer(envelope.getTelemetry(), lastReceivedUnixMs)) {
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
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED, id
                + ": the session with the agent is re-syncing (" + reason + "); the request does not run after its"
                + " deadline"));
        if (state == VmState.READY) {
            transition(VmState.HANDSHAKING, "re-syncing: " + reason);
        }
        if (session != null) {
            served.start();
        }
    }

    @Override
    public void onClosed(IOException cause) {
        Session s = session;
        if (s != null) {
            sample(s);
            retire(s);
        }
        session = null;
        served.stop();
        if (!removed && !quarantining) {
            lost(cause == null ? "connection closed" : cause.getMessage());
        }
    }

    private void sample(Session s) {
        conduct.sample(s.counters(), s.isReady());
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
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the VM is quarantined: " + why));
        Session s = session;
        if (s != null) {
            retire(s);
            quarantining = true;
            session = null;
            try {
                s.close();
            } finally {
                quarantining = false;
            }
            disconnects++;
        }
        served.stop();
        liveness.stop();
        cancel(reconnectTimer);
        boolean warn = conduct.mayWarn(System.nanoTime());
        transition(VmState.MISBEHAVING, conduct.describe(why, delay),
                warn ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG);
        reconnectTimer = node.loop().schedule(delay, this::connect);
    }

    /** Adds a session's counters to those of the VM's earlier connections; once per session. */
    private void retire(Session s) {
        closedSessions = s.counters().plus(closedSessions);
    }

    private void lost(String why) {
        disconnects++;
        liveness.stop();
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the connection to the agent was lost (" + why + ")"));
        transition(VmState.DISCONNECTED, why);
        Duration delay = backoff.next();
        transition(VmState.RECONNECTING, "next attempt in " + delay.toMillis() + " ms");
        reconnectTimer = node.loop().schedule(delay, this::connect);
    }

    /**
     * Telemetry and pongs are the heartbeat: QEMU never says when a guest agent dies. A heartbeat
     * ping also refreshes the round-trip clock samples, at least every {@link #CLOCK_REFRESH}.
     */
    private void checkHeartbeat() {
        judge();
        if (state != VmState.READY || session == null || !session.isReady()) {
            return;
        }
        long now = System.nanoTime();
        long silentNanos = now - lastReceivedNanos;
        if (silentNanos >= config.unresponsiveAfter().toNanos()) {
            unresponsive("nothing from the agent for " + silentNanos / 1_000_000
                    + " ms (no telemetry, no pong): the agent may have died or the guest hung");
            return;
        }
        if (silentNanos >= config.heartbeatInterval().toNanos()
                || now - session.peerClock().lastSampleNanos() >= CLOCK_REFRESH.toNanos()) {
            send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()), HEARTBEAT,
                    config.heartbeatInterval(), false).exceptionally(t -> null);
        }
    }

    private void answersPings() {
        handshakenSincePong = false;
        if (state != VmState.READY && session != null && session.isReady() && peer != null) {
            transition(VmState.READY, "agent " + GuestText.safe(peer.getSoftwareVersion(), 64) + " on "
                    + GuestText.safe(peer.getHostname(), 64) + " ready (answers pings)");
        }
    }

    /** What {@link Liveness} sees of this VM. */
    private final class Probed implements Liveness.Vm {

        @Override
        public boolean canProbe() {
            return session != null && session.isReady();
        }

        @Override
        public boolean isReady() {
            return state == VmState.READY;
        }

        @Override
        public CompletableFuture<Long> ping(Duration timeout) {
            return send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()), PROBE, timeout, true)
                    .thenApply(RequestTracker.Answer::rttNanos);
        }

        @Override
        public void answered(long rttNanos) {
            lastRttNanos = rttNanos;
            answersPings();
        }

        @Override
        public void unresponsive(String why) {
            VmConnection.this.unresponsive(why);
        }

        @Override
        public int waiting() {
            return requests.size();
        }

        @Override
        public long lastHeardNanos() {
            return lastReceivedNanos;
        }
    }

    /** Fails what waits, says unresponsive, re-syncs: ready again only once a pong comes back. */
    private void unresponsive(String why) {
        resyncs++;
        if (handshakenSincePong) {
            // It completed a handshake and then answered no ping: a guest that answers only
            // Hellos. A stopped or dead agent completes no handshake, so it is never counted.
            conduct.unresponsive();
            handshakenSincePong = false;
        }
        liveness.stop();
        requests.failAll(new NodeException(NodeException.Code.AGENT_UNRESPONSIVE, id + ": " + why
                + "; the request does not run after its deadline"));
        transition(VmState.UNRESPONSIVE, why);
        if (session != null && session.isOpen()) {
            session.rehandshake("unresponsive");
        }
    }

    private void markReceived() {
        lastReceivedNanos = System.nanoTime();
        lastReceivedUnixMs = System.currentTimeMillis();
    }

    /**
     * Sends a request and waits for its answer; fails at once unless the agent is ready. Its
     * deadline goes in the agent's monotonic clock, converted from the round-trip samples so it
     * is never later than this side's timer (requests.proto, deadline_agent_ms).
     */
    CompletableFuture<RequestTracker.Answer> request(Request.Builder request, String what, Duration timeout) {
        if (state == VmState.READY && session != null && session.isReady() && session.peerClock().hasSample()) {
            request.setDeadlineAgentMs(session.peerDeadlineMs(timeout));
            if (request.hasSetTime() && request.getSetTime().getAtAgentMs() == 0) {
                // The caller's time is "now": pin it to the agent's clock so transit is added back.
                request.getSetTimeBuilder().setAtAgentMs(session.peerDeadlineMs(Duration.ZERO));
            }
        }
        CompletableFuture<RequestTracker.Answer> answer = send(Envelope.newBuilder().setRequest(request), what,
                timeout, false);
        if (!answer.isDone()) {
            liveness.watch();
        }
        return answer;
    }

    CompletableFuture<Long> ping(Duration timeout) {
        return send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()), "ping", timeout, true)
                .thenApply(answer -> {
                    lastRttNanos = answer.rttNanos();
                    answersPings();
                    return answer.rttNanos();
                });
    }

    /** @param beforeReady a ping, which may go out while the session is up but the VM not (yet) ready */
    private CompletableFuture<RequestTracker.Answer> send(Envelope.Builder envelope, String what, Duration timeout,
                                                          boolean beforeReady) {
        if (session == null || !session.isReady() || !beforeReady && state != VmState.READY
                || envelope.hasRequest() && !session.peerClock().hasSample()) {
            NodeException.Code code = state == VmState.UNRESPONSIVE ? NodeException.Code.AGENT_UNRESPONSIVE
                    : NodeException.Code.AGENT_NOT_READY;
            return CompletableFuture.failedFuture(new NodeException(code,
                    id + ": agent not ready (" + state.json() + ": " + message + ")"));
        }
        long envelopeId = session.send(envelope, 0);
        if (envelopeId < 0) {
            return CompletableFuture.failedFuture(new NodeException(NodeException.Code.AGENT_BUSY,
                    id + ": outbound queue full; the agent is not reading"));
        }
        return requests.track(envelopeId, what, timeout);
    }

    /**
     * A slow request is no reason to doubt the session (its late answer is merely unmatched): it
     * only probes. Heartbeat silence is judged by checkHeartbeat, a probe's by its own callback.
     */
    private void requestTimedOut(String what) {
        if (!what.equals(HEARTBEAT) && !what.equals(PROBE) && state == VmState.READY) {
            liveness.probe(what + " timed out");
        }
    }

    /** The socket file went away: close, fail what waits, forget. */
    void remove() {
        removed = true;
        generation++;
        cancel(reconnectTimer);
        served.stop();
        liveness.stop();
        heartbeat.cancel();
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED, id + ": the VM's socket went away"));
        if (session != null) {
            Session s = session;
            retire(s);
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
        SessionCounters live = s == null ? null : s.counters();
        return new VmSnapshot(id.value(), socket.toString(), state, message, stateSinceMs, List.copyOf(transitions),
                peer, lastReceivedUnixMs, lastRttNanos, connects, disconnects, resyncs,
                served.notServedEpisodes(), requests.timeouts(), requests.unmatched(), requests.size(), served.unreadByQemu(),
                live, latest == null ? null : latest.report(),
                latest == null ? 0 : latest.receivedUnixMs(), telemetry.isStale(now, config.staleAfter().toMillis()),
                telemetry.received(), conduct.figures(), conduct.lastQuarantine(), telemetry.bytes(),
                telemetry.lastRefusal(), live == null ? closedSessions : live.plus(closedSessions),
                requests.latency());
    }

    List<TelemetryEntry> telemetryHistory() {
        return telemetry.history();
    }
}
