package io.qtx.session;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Supplier;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.SocketQueues;
import io.qtx.proto.ClockTimes;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.HelloReply;
import io.qtx.proto.Pong;

/**
 * A handshaken conversation over a {@link FramedChannel}: assigns envelope ids and times,
 * runs the {@link Handshake} on every (re)connection, after every write timeout and whenever
 * the peer starts over, answers pings, keeps the round-trip samples of the peer's clock
 * ({@link PeerClock}: every Hello and Ping sent is a probe, every answer carries our monotonic
 * times), and hands everything else to its listener, but only once the handshake is through. What arrives before that is discarded and counted: on a
 * virtio channel it may be a request queued for an earlier session.
 *
 * <p>Loop thread only.
 */
public final class Session implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    /** What a session tells its owner; called on the loop thread. */
    public interface Listener {

        /**
         * The handshake is through; {@code peer} is the peer's Hello of this session. Called
         * again, while ready, when the peer starts over with a new Hello (its instance id tells
         * whether it restarted).
         */
        void onReady(Hello peer);

        /** An envelope of the established session (not a handshake message, not a ping). */
        void onEnvelope(Envelope envelope);

        /** A virtio port's host connected; the handshake starts now (for the owner's state and logs). */
        default void onPeerArrived() {
        }

        /** The session stopped being ready: the host left, a write timed out, the peer started over. */
        default void onNotReady(String reason) {
        }

        /**
         * The session heard a Hello from a new instance of the peer (it restarted): whatever the
         * old instance was doing is lost. Called before the session starts a new handshake.
         */
        default void onPeerRestarted(Hello newPeer) {
        }

        /** The session is over for good: its descriptor is closed. {@code cause} is null if closed on purpose. */
        void onClosed(IOException cause);
    }

    private final FramedChannel channel;
    private final Handshake handshake;
    private final PeerClock peerClock = new PeerClock();
    private final HelloRetry helloRetry;
    private final Supplier<Pong> pong;
    private final Listener listener;
    private final String name;
    private long nextId = 1;
    private boolean ready;
    private long discardedBeforeReady;
    /** Our Hello of the current handshake, said again when the peer starts over. */
    private Hello currentHello;
    /** The nonce of the last Hello the peer sent, to tell a new one from a repeat. */
    private com.google.protobuf.ByteString lastPeerNonce = com.google.protobuf.ByteString.EMPTY;
    private long handshakes;
    private final TokenBucket pingRate;
    private long pingsRefused;

    /**
     * @param name for logs, e.g. the VM id or the port path
     * @param helloRetry how long to wait for the peer's answer before saying Hello again
     * @param pong builds the answer to a ping (uptime and counters)
     */
    public Session(EventLoop loop, Fd fd, ChannelOptions options, Handshake.Identity identity, Duration helloRetry,
                   Supplier<Pong> pong, Listener listener, String name) {
        this.handshake = new Handshake(identity, new SecureRandom());
        this.helloRetry = new HelloRetry(loop, helloRetry);
        this.pong = pong;
        this.listener = listener;
        this.name = name;
        this.channel = new FramedChannel(loop, fd, options, new ChannelEvents());
        this.pingRate = InboundBudget.bucket(options.inbound().pingsPerSecond(), options.inbound().burstSeconds(),
                System.nanoTime());
    }

    /**
     * Lets the wait between unanswered Hellos double, from helloRetry up to {@code max}, so a
     * peer that never completes a handshake costs less and less; back to helloRetry once ready.
     */
    public void helloBackoff(Duration max) {
        this.helloRetry.doubleUpTo(max);
    }

    /** Registers the channel; a socket says Hello at once, a port when its host arrives. */
    public void start() throws NativeException {
        channel.start();
        if (channel.isPeerPresent()) {
            rehandshake("connected");
        }
    }

    public boolean isReady() {
        return ready;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /** For a virtio port: whether a host is connected, as far as the port has told us; sockets: true. */
    public boolean isPeerPresent() {
        return channel.isPeerPresent();
    }

    /** The frame version being written: QTX1 until the handshake agrees on QTX2. */
    public byte frameVersion() {
        return channel.frameVersion();
    }

    /** Every counter of this session and its channel, as one immutable snapshot. */
    public SessionCounters counters() {
        return channel.counters(discardedBeforeReady, handshakes, pingsRefused);
    }

    /**
     * Bytes we wrote that the peer has not read yet (SIOCOUTQ): for a socket whose peer may sit
     * on it unserved, e.g. QEMU with another client.
     */
    public int unreadByPeer() throws NativeException {
        return SocketQueues.unreadByPeer(channel.fd());
    }

    /** The peer's Hello of the current session, or null before the handshake. */
    public Hello peerHello() {
        return ready ? handshake.peerHello() : null;
    }

    /** The round-trip samples of the peer's monotonic clock, for figures and the staleness check. */
    public PeerClock peerClock() {
        return peerClock;
    }

    /**
     * A deadline {@code timeout} from now in the peer's monotonic clock, converted conservatively
     * (never later in real time than ours; see {@link PeerClock}).
     *
     * @throws IllegalStateException when there is no round-trip sample yet
     */
    public long peerDeadlineMs(Duration timeout) {
        long now = PeerClock.nowNanos();
        return peerClock.toPeerMs(now + timeout.toNanos(), now);
    }

    /**
     * Sends an envelope of the established session, stamping id and time.
     *
     * @return its id, or -1 when not sent: not ready, or the outbound queue is full
     */
    public long send(Envelope.Builder envelope) {
        return send(envelope, 0);
    }

    /** Like {@link #send(Envelope.Builder)}, keeping {@code keepFree} queue bytes for replies. */
    public long send(Envelope.Builder envelope, int keepFree) {
        if (!ready) {
            return -1;
        }
        return sendAnyway(envelope, keepFree);
    }

    /** Sends an answer to envelope {@code replyTo}; -1 when not sent. */
    public long reply(long replyTo, Envelope.Builder envelope) {
        return send(envelope.setReplyTo(replyTo));
    }

    private long sendAnyway(Envelope.Builder envelope, int keepFree) {
        long id = nextId++;
        Envelope built = envelope.setId(id).setSentUnixMs(System.currentTimeMillis()).build();
        if (!channel.send(built, keepFree)) {
            return -1;
        }
        if (built.hasHello() || built.hasPing()) {
            peerClock.probeSent(id, PeerClock.nowNanos());
        }
        return id;
    }

    /** Starts the handshake over with a fresh nonce; the session is not ready until it is answered. */
    public void rehandshake(String reason) {
        if (!channel.isOpen()) {
            return;
        }
        notReady(reason);
        channel.frameVersion(io.qtx.framing.FrameDescriptor.VERSION_1);
        peerClock.reset();
        currentHello = handshake.newHello(System.currentTimeMillis());
        handshakes++;
        LOG.log(System.Logger.Level.DEBUG, "{0}: hello ({1})", name, reason);
        sendAnyway(Envelope.newBuilder().setHello(currentHello), 0);
        helloRetry.schedule(wait -> {
            if (!ready && channel.isOpen() && channel.isPeerPresent()) {
                rehandshake("no answer to hello within " + wait.toMillis() + " ms");
            }
        });
    }

    private void notReady(String reason) {
        if (ready) {
            ready = false;
            listener.onNotReady(reason);
        }
    }

    private void onEnvelope(Envelope envelope) {
        long receivedMs = PeerClock.nowMs();
        switch (envelope.getPayloadCase()) {
            case HELLO -> onHello(envelope, receivedMs);
            case HELLO_REPLY -> {
                switch (handshake.accept(envelope.getHelloReply())) {
                    case MATCHED -> {
                        peerClock.answered(envelope.getReplyTo(), envelope.getHelloReply().getClock(),
                                PeerClock.nowNanos());
                        channel.frameVersion(handshake.writeFrameVersion());
                        becomeReadyIfComplete();
                    }
                    case STALE -> discardedBeforeReady++;
                    case REFUSED -> LOG.log(System.Logger.Level.WARNING, "{0}: peer refused the handshake: {1}",
                            name, printable(handshake.refusal().getMessage()));
                }
            }
            default -> {
                if (!ready) {
                    discardedBeforeReady++;
                } else if (envelope.getPayloadCase() == Envelope.PayloadCase.PING) {
                    answerPing(envelope.getId(), receivedMs);
                } else {
                    if (envelope.getPayloadCase() == Envelope.PayloadCase.PONG) {
                        peerClock.answered(envelope.getReplyTo(), envelope.getPong().getClock(), PeerClock.nowNanos());
                    }
                    listener.onEnvelope(envelope);
                }
            }
        }
    }

    /** A Hello from the peer: answered, and it may mean the peer restarted or started over. */
    private void onHello(Envelope envelope, long receivedMs) {
        if (!withinAnswerRate()) {
            return;
        }
        Hello peer = envelope.getHello();
        boolean newPeerNonce = !peer.getNonce().equals(lastPeerNonce);
        lastPeerNonce = peer.getNonce();
        Hello known = handshake.peerHello();
        // A Hello from a new instance of the peer, ready or not: the round-trip samples may
        // be from the old instance (after a reboot, another clock), so they all go.
        boolean restarted = known != null && !known.getInstanceId().equals(peer.getInstanceId());
        HelloReply answer = handshake.answer(peer).toBuilder().setClock(times(receivedMs)).build();
        sendAnyway(Envelope.newBuilder().setReplyTo(envelope.getId()).setHelloReply(answer), 0);
        if (restarted) {
            // A new instance knows nothing of this session: a whole new handshake, fresh
            // nonce and clock samples. The new instance is not ready yet (it has no Hello of
            // ours), so it answers with no Hello of its own, and it is one instance: no
            // greeting loop.
            listener.onPeerRestarted(peer);
            rehandshake("the peer restarted (new instance id)");
        } else if (ready && newPeerNonce && currentHello != null) {
            // The peer started over and may have forgotten our Hello: say it again, same
            // nonce (fresh time), so our state stands. A repeat of the same peer Hello gets no
            // repeat from us, so two sides can never keep greeting each other.
            currentHello = handshake.repeatHello(currentHello, System.currentTimeMillis());
            sendAnyway(Envelope.newBuilder().setHello(currentHello), 0);
            listener.onReady(peer);
        } else {
            becomeReadyIfComplete();
        }
    }

    private void answerPing(long pingId, long receivedMs) {
        if (withinAnswerRate()) {
            reply(pingId, Envelope.newBuilder().setPong(pong.get().toBuilder().setClock(times(receivedMs))));
        }
    }

    /**
     * A ping or a Hello costs us frames and the peer nothing: over its rate there is no answer,
     * and reading pauses until the bucket clears.
     */
    private boolean withinAnswerRate() {
        if (pingRate == null) {
            return true;
        }
        long now = System.nanoTime();
        if (pingRate.inDebt(now)) {
            pingsRefused++;
            channel.pauseReading(pingRate.nanosUntilClear(now));
            return false;
        }
        pingRate.take(1, now);
        return true;
    }

    /** The peer's text for a log line: control characters escaped, at most 200 characters. */
    static String printable(String peerText) {
        String cut = peerText.length() > 200 ? peerText.substring(0, 200) + "…" : peerText;
        StringBuilder b = new StringBuilder(cut.length());
        cut.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\x%02x", c & 0xff));
            } else {
                b.append((char) c);
            }
        });
        return b.toString();
    }

    /** Our clock times around an answer: when its question was read, and now (it is sent next). */
    private static ClockTimes times(long receivedMs) {
        return ClockTimes.newBuilder().setReceivedMs(receivedMs).setSentMs(PeerClock.nowMs()).build();
    }

    private void becomeReadyIfComplete() {
        if (!ready && handshake.isComplete()) {
            ready = true;
            helloRetry.answered();
            listener.onReady(handshake.peerHello());
        }
    }

    @Override
    public void close() {
        channel.close();
    }

    private final class ChannelEvents implements ChannelListener {

        @Override
        public void onEnvelope(Envelope envelope, byte frameVersion) {
            Session.this.onEnvelope(envelope);
        }

        @Override
        public void onPeerArrived() {
            channel.resetInbound();
            channel.discardOutbound();
            listener.onPeerArrived();
            rehandshake("host connected");
        }

        @Override
        public void onPeerGone() {
            handshake.reset();
            peerClock.reset();
            currentHello = null;
            lastPeerNonce = com.google.protobuf.ByteString.EMPTY;
            notReady("host gone");
        }

        @Override
        public void onWriteTimeout() {
            channel.discardOutbound();
            rehandshake("a write waited over the write timeout");
        }

        @Override
        public void onClosed(IOException cause) {
            helloRetry.cancel();
            ready = false;
            listener.onClosed(cause);
        }
    }
}
