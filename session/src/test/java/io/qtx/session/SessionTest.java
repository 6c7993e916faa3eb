package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Sockets;
import io.qtx.framing.FrameDescriptor;
import io.qtx.proto.Envelope;
import io.qtx.proto.Ping;
import io.qtx.proto.Request;
import io.qtx.proto.Role;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.protocol.ProtoFrames;
import io.qtx.testkit.Await;

class SessionTest {

    private EventLoop loop;
    private Fd[] pair;
    private final ChannelOptions options = ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET);

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("session-loop");
        pair = Sockets.socketpair();
    }

    @AfterEach
    void stop() {
        loop.close();
        pair[0].close();
        pair[1].close();
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> body) throws Exception {
        return SessionPair.onLoop(loop, body);
    }

    @Test
    void bothSidesGetThroughTheHandshakeAndAgreeOnTheIntegrityFrame() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        SessionPair.Recorder agent = new SessionPair.Recorder();
        Session hostSession = SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        Session agentSession = SessionPair.start(loop, pair[1], Role.ROLE_AGENT, options, agent);
        assertEquals(Role.ROLE_AGENT, host.awaitReady().getRole());
        assertEquals(Role.ROLE_HOST, agent.awaitReady().getRole());
        assertTrue(onLoop(() -> hostSession.isReady() && agentSession.isReady()));
        onLoop(() -> hostSession.send(Envelope.newBuilder().setRequest(Request.newBuilder()
                .setDeadlineAgentMs(PeerClock.nowMs() + 1000)
                .setSystemInfo(SystemInfoRequest.getDefaultInstance()))));
        Envelope request = agent.envelopes.poll(5, TimeUnit.SECONDS);
        assertNotNull(request);
        assertTrue(request.hasRequest());
        assertEquals(FrameDescriptor.VERSION_2, (byte) onLoop(() -> hostSession.frameVersion()));
        assertEquals(FrameDescriptor.VERSION_2, (byte) onLoop(() -> agentSession.frameVersion()));
    }

    @Test
    void aPingIsAnsweredByTheSessionItselfWithTheOwnersPong() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        SessionPair.Recorder agent = new SessionPair.Recorder();
        Session hostSession = SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        SessionPair.start(loop, pair[1], Role.ROLE_AGENT, options, agent);
        host.awaitReady();
        agent.awaitReady();
        long pingId = onLoop(() -> hostSession.send(Envelope.newBuilder().setPing(Ping.getDefaultInstance())));
        Envelope pong = host.envelopes.poll(5, TimeUnit.SECONDS);
        assertNotNull(pong);
        assertEquals(pingId, pong.getReplyTo());
        assertEquals(42, pong.getPong().getUptimeMs());
        // The agent handled the ping before its pong left, so no wait is needed to see it was kept back.
        assertNull(agent.envelopes.poll(), "the ping never reached the agent's owner");
    }

    @Test
    void whatArrivesBeforeTheHandshakeIsDiscardedNeverActedOn() throws Exception {
        // A request already waiting in the channel, as QEMU keeps one for a guest that was away.
        try (Arena arena = Arena.ofConfined()) {
            Envelope stale = Envelope.newBuilder().setId(7).setRequest(Request.newBuilder()
                    .setDeadlineAgentMs(PeerClock.nowMs() + 60_000)
                    .setSystemInfo(SystemInfoRequest.getDefaultInstance())).build();
            io.qtx.framing.FrameWriter writer = new io.qtx.framing.FrameWriter(1 << 16, 1 << 12);
            ProtoFrames.offer(writer, stale);
            MemorySegment bytes = writer.readable(1 << 16);
            assertEquals(bytes.byteSize(), pair[0].write(bytes));
            writer.close();
        }
        SessionPair.Recorder agent = new SessionPair.Recorder();
        SessionPair.Recorder host = new SessionPair.Recorder();
        Session agentSession = SessionPair.start(loop, pair[1], Role.ROLE_AGENT, options, agent);
        SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        agent.awaitReady();
        host.awaitReady();
        // The stale request came ahead of the Hello, so it was handled before the agent was ready.
        assertNull(agent.envelopes.poll(), "the stale request was handed on");
        assertEquals(1L, (long) onLoop(() -> agentSession.counters().discardedBeforeReady()));
    }

    @Test
    void aPeerThatStartsOverIsAnsweredAndBothSidesGetThroughAgain() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        SessionPair.Recorder agent = new SessionPair.Recorder();
        Session hostSession = SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        Session agentSession = SessionPair.start(loop, pair[1], Role.ROLE_AGENT, options, agent);
        host.awaitReady();
        agent.awaitReady();
        onLoop(() -> {
            agentSession.rehandshake("test: as after a write timeout");
            return null;
        });
        agent.awaitReady();
        // The host stays ready (its own handshake stands) and hears of the agent's new Hello.
        host.awaitReady();
        assertEquals("test: as after a write timeout", agent.notReady.poll(1, TimeUnit.SECONDS));
        assertTrue(onLoop(() -> hostSession.isReady() && agentSession.isReady()));
        long hostHellos = onLoop(() -> hostSession.counters().handshakes());
        long agentHellos = onLoop(() -> agentSession.counters().handshakes());
        // A ping each way instead of a pause: a Hello answered with a Hello would reach its peer
        // ahead of the pong behind it on the same stream, so after both pongs any loop has shown.
        pingRoundTrip(hostSession, host);
        pingRoundTrip(agentSession, agent);
        assertNull(host.notReady.poll(), "the host stayed ready");
        assertEquals(hostHellos, (long) onLoop(() -> hostSession.counters().handshakes()), "no greeting loop");
        assertEquals(agentHellos, (long) onLoop(() -> agentSession.counters().handshakes()), "no greeting loop");
    }

    @Test
    void everyRoundTripIsAClockSampleAndAReSyncStartsTheSamplesOver() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        SessionPair.Recorder agent = new SessionPair.Recorder();
        Session hostSession = SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        SessionPair.start(loop, pair[1], Role.ROLE_AGENT, options, agent);
        host.awaitReady();
        agent.awaitReady();
        assertTrue(onLoop(() -> hostSession.peerClock().hasSample()), "the handshake's round trip");
        // Both ends share this JVM's monotonic clock: the conversion is the identity, minus at most a round trip.
        long before = PeerClock.nowMs();
        long converted = onLoop(() -> hostSession.peerDeadlineMs(Duration.ofSeconds(10)));
        assertTrue(converted <= PeerClock.nowMs() + 10_000, "never later than ours");
        assertTrue(converted >= before + 10_000 - 5_000, "off by a round trip at most: " + (converted - before));
        long taken = onLoop(() -> hostSession.peerClock().samplesTaken());
        onLoop(() -> hostSession.send(Envelope.newBuilder().setPing(Ping.getDefaultInstance())));
        assertTrue(host.envelopes.poll(5, TimeUnit.SECONDS).hasPong());
        assertEquals(taken + 1, (long) onLoop(() -> hostSession.peerClock().samplesTaken()), "a pong is a sample");

        onLoop(() -> {
            hostSession.rehandshake("test: re-sync");
            return hostSession.peerClock().hasSample();
        });
        assertFalse(onLoop(() -> hostSession.peerClock().hasSample()) && !onLoop(hostSession::isReady),
                "no old sample survives a re-sync");
        host.awaitReady();
        assertTrue(onLoop(() -> hostSession.peerClock().hasSample()));
        assertEquals(taken + 2, (long) onLoop(() -> hostSession.peerClock().samplesTaken()));
    }

    @Test
    void aPeerThatNeverAnswersIsGreetedAgainUntilItDoes() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        Session hostSession = SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        // Nobody reads pair[1] for a while: the host says hello again every 500 ms.
        Await.until("a second Hello to a peer that does not answer",
                () -> onLoop(() -> hostSession.counters().handshakes()) >= 2);
        SessionPair.Recorder agent = new SessionPair.Recorder();
        SessionPair.start(loop, pair[1], Role.ROLE_AGENT, options, agent);
        host.awaitReady();
        agent.awaitReady();
    }

    @Test
    void aWriteThatWaitsTooLongDropsTheQueueAndStartsTheHandshakeOver() throws Exception {
        // Fill the host's socket first: the peer is not reading.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment junk = arena.allocate(1 << 16);
            while (pair[0].write(junk) != io.qtx.ffi.Syscalls.WOULD_BLOCK) {
                // keep filling
            }
        }
        SessionPair.Recorder host = new SessionPair.Recorder();
        ChannelOptions quick = options.withWriteTimeout(Duration.ofMillis(200));
        Session hostSession = SessionPair.start(loop, pair[0], Role.ROLE_HOST, quick, host);
        Await.until("two write timeouts", () -> onLoop(() -> hostSession.counters().writeTimeouts()) >= 2);
        assertTrue(onLoop(() -> hostSession.counters().handshakes()) >= 3, "a new hello after each timeout");
        assertTrue(onLoop(() -> hostSession.counters().pendingOutboundBytes()) < 1024,
                "the queue was dropped, not grown");
        assertTrue(hostSession.isOpen());
    }

    /** Sends a ping and waits for its pong; envelopes ahead of the pong are passed over. */
    private void pingRoundTrip(Session from, SessionPair.Recorder owner) throws Exception {
        onLoop(() -> from.send(Envelope.newBuilder().setPing(Ping.getDefaultInstance())));
        Await.until("a pong to " + from, () -> {
            Envelope e = owner.envelopes.poll();
            return e != null && e.hasPong();
        });
    }
}
