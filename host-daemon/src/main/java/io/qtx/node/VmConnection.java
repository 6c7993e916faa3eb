package io.qtx.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.qtx.epoll.Timer;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.kit.Backoff;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Request;
import io.qtx.session.Session;
import io.qtx.session.SessionCounters;

/**
 * qx-node's side of one VM: a state machine over at most one connection to the VM's socket.
 * Every callback does its event's work and then asks {@link VmTransitions} where the event
 * leads ({@link #on}); the table alone decides the state.
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
    private final VmStateLog log;
    private final Timer heartbeat;
    private Session session;
    private final SocketDialer dialer;
    private boolean removed;
    private Timer reconnectTimer;
    private long lastReceivedNanos;
    private long lastReceivedUnixMs;
    private Hello peer;
    private long disconnects;
    private long resyncs;
    private long lastRttNanos = -1;
    private final Liveness liveness;
    private final ServedCheck served;
    private final AgentCalls calls;
    /** The counters of this VM's connections that have ended, summed. */
    private SessionCounters closedSessions = SessionCounters.ZERO;

    VmConnection(Node node, VmId id, Path socket) {
        this.node = node;
        this.id = id;
        this.socket = socket;
        this.config = node.config();
        this.log = new VmStateLog(id, node.events());
        this.requests = new RequestTracker(node.loop(), id.value(), this::requestTimedOut);
        this.limits = node.limits();
        this.telemetry = new TelemetryStore(config.historySize(), limits.historyBytes(), limits.maxReportBytes());
        this.conduct = new Conduct(limits, System.nanoTime());
        this.backoff = Backoff.jittered(config.backoffMin(), config.backoffMax(), node.random());
        Duration beat = config.heartbeatInterval();
        this.heartbeat = node.loop().scheduleAtFixedRate(beat, beat, this::checkHeartbeat);
        this.dialer = new SocketDialer(node.loop(), socket);
        this.calls = new AgentCalls(id, () -> session, log, requests);
        this.liveness = new Liveness(node.loop(), config.probeTimeout(), new ProbedVm(() -> session, log, calls,
                requests, () -> lastReceivedNanos, rtt -> {
                    lastRttNanos = rtt;
                    answersPings();
                }, this::unresponsive));
        this.served = new ServedCheck(node.loop(), config.servedCheck(), socket, () -> session, log::state, this::on);
        log.enter(VmState.DISCOVERED, "socket " + socket + " appeared", System.Logger.Level.INFO);
    }

    VmId id() {
        return id;
    }

    VmState state() {
        return log.state();
    }

    long disconnects() {
        return disconnects;
    }

    void connect() {
        if (removed || dialer.isConnecting() || session != null) {
            return; // at most one connection per socket
        }
        cancel(reconnectTimer);
        reconnectTimer = null;
        on(VmEvent.CONNECT, "connecting to " + socket);
        dialer.dial(new SocketDialer.Outcome() {
            @Override
            public void connected(Fd fd) {
                onConnected(fd);
            }

            @Override
            public void failed(String why) {
                lost(VmEvent.CONNECT_FAILED, why);
            }
        });
    }

    private void onConnected(Fd fd) {
        Session s = node.newSession(fd, this, id.value());
        s.helloBackoff(limits.helloRetryMax());
        session = s;
        conduct.newConnection();
        on(VmEvent.CONNECTED, "connected; hello sent, waiting for the agent's answer");
        try {
            s.start();
        } catch (NativeException e) {
            // start() closed the channel, and onClosed has already recorded the loss.
        }
    }

    @Override
    public void onReady(Hello peerHello) {
        handshakenSincePong = true;
        boolean restarted = peer != null && !peer.getInstanceId().equals(peerHello.getInstanceId());
        // Whatever still waits was sent in an earlier session: its answer can no longer come.
        requests.failAll(restarted ? restartedError() : new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the agent started its session over; the request does not run after its deadline"));
        peer = peerHello;
        backoff.reset();
        markReceived();
        on(VmEvent.HANDSHAKE_DONE, "handshake done with agent " + GuestText.safe(peerHello.getSoftwareVersion(), 64)
                + " on " + GuestText.safe(peerHello.getHostname(), 64) + "; waiting for its first pong");
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
            node.events().publish(NodeEvent.telemetry(id.value(), log.state(), envelope.getTelemetry(),
                    lastReceivedUnixMs));
        } else if (envelope.getReplyTo() != 0) {
            requests.complete(envelope);
        }
    }

    @Override
    public void onNotReady(String reason) {
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED, id
                + ": the session with the agent is re-syncing (" + reason + "); the request does not run after its"
                + " deadline"));
        on(VmEvent.NOT_READY, "re-syncing: " + reason);
    }

    @Override
    public void onClosed(IOException cause) {
        Session s = session;
        if (s != null) {
            sample(s);
            retire(s);
        }
        session = null;
        if (!removed && !quarantining) {
            lost(VmEvent.CLOSED, cause == null ? "connection closed" : cause.getMessage());
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
        String why = conduct.judge(System.nanoTime(), log.state() == VmState.READY);
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
        liveness.stop();
        cancel(reconnectTimer);
        boolean warn = conduct.mayWarn(System.nanoTime());
        on(VmEvent.QUARANTINED, conduct.describe(why, delay),
                warn ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG);
        reconnectTimer = node.loop().schedule(delay, this::connect);
    }

    /** Adds a session's counters to those of the VM's earlier connections; once per session. */
    private void retire(Session s) {
        closedSessions = s.counters().plus(closedSessions);
    }

    /** @param event CONNECT_FAILED or CLOSED */
    private void lost(VmEvent event, String why) {
        disconnects++;
        liveness.stop();
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED,
                id + ": the connection to the agent was lost (" + why + ")"));
        on(event, why);
        Duration delay = backoff.next();
        on(VmEvent.RETRY_SCHEDULED, "next attempt in " + delay.toMillis() + " ms");
        reconnectTimer = node.loop().schedule(delay, this::connect);
    }

    /**
     * Telemetry and pongs are the heartbeat: QEMU never says when a guest agent dies. A heartbeat
     * ping also refreshes the round-trip clock samples, at least every {@link #CLOCK_REFRESH}.
     */
    private void checkHeartbeat() {
        judge();
        if (log.state() != VmState.READY || session == null || !session.isReady()) {
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
            calls.ping(RequestKind.HEARTBEAT, config.heartbeatInterval()).exceptionally(t -> null);
        }
    }

    private void answersPings() {
        handshakenSincePong = false;
        if (session != null && session.isReady() && peer != null) {
            on(VmEvent.PONG, "agent " + GuestText.safe(peer.getSoftwareVersion(), 64) + " on "
                    + GuestText.safe(peer.getHostname(), 64) + " ready (answers pings)");
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
        on(VmEvent.UNRESPONSIVE, why);
        if (session != null && session.isOpen()) {
            session.rehandshake("unresponsive");
        }
    }

    private void markReceived() {
        lastReceivedNanos = System.nanoTime();
        lastReceivedUnixMs = System.currentTimeMillis();
    }

    /** Sends a request and waits for its answer (see {@link AgentCalls#request}); a wait is watched for liveness. */
    CompletableFuture<RequestTracker.Answer> request(Request.Builder request, RequestKind what, Duration timeout) {
        CompletableFuture<RequestTracker.Answer> answer = calls.request(request, what, timeout);
        if (!answer.isDone()) {
            liveness.watch();
        }
        return answer;
    }

    CompletableFuture<Long> ping(Duration timeout) {
        return calls.ping(RequestKind.API_PING, timeout).thenApply(answer -> {
            lastRttNanos = answer.rttNanos();
            answersPings();
            return answer.rttNanos();
        });
    }

    /**
     * A slow request is no reason to doubt the session (its late answer is merely unmatched): it
     * only probes. Heartbeat silence is judged by checkHeartbeat, a probe's by its own callback.
     */
    private void requestTimedOut(RequestKind what) {
        if (!what.isLivenessPing() && log.state() == VmState.READY) {
            liveness.probe(what + " timed out");
        }
    }

    /** The socket file went away: close, fail what waits, forget. */
    void remove() {
        removed = true;
        dialer.forget();
        cancel(reconnectTimer);
        liveness.stop();
        heartbeat.cancel();
        requests.failAll(new NodeException(NodeException.Code.AGENT_DISCONNECTED, id + ": the VM's socket went away"));
        if (session != null) {
            Session s = session;
            retire(s);
            session = null;
            s.close();
        }
        on(VmEvent.REMOVED, "socket " + socket + " went away");
    }

    private void on(VmEvent event, String why) {
        on(event, why, null);
    }

    /** Applies {@code event}: its served-check effect, then the table's state (level null: by state). */
    private void on(VmEvent event, String why, System.Logger.Level level) {
        served.apply(event.served, session != null);
        VmTransitions.Outcome outcome = VmTransitions.next(log.state(), event);
        if (!outcome.legal()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} cannot happen in state {2}; the state stays", id, event,
                    log.state().json());
        } else if (outcome.target() != null) {
            VmState next = outcome.target();
            log.enter(next, why, level != null ? level : next == VmState.NOT_SERVED || next == VmState.UNRESPONSIVE
                    ? System.Logger.Level.WARNING : System.Logger.Level.INFO);
        }
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
        return new VmSnapshot(id.value(), socket.toString(), log.state(), log.message(), log.sinceUnixMs(), log.recent(),
                peer, lastReceivedUnixMs, lastRttNanos, dialer.attempts(), disconnects, resyncs,
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
