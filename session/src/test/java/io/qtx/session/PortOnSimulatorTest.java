package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Sockets;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Ping;
import io.qtx.proto.Role;
import io.qtx.sim.ChannelSimulator;
import io.qtx.sim.ChannelStats;
import io.qtx.sim.SimulatedChannel;
import io.qtx.testkit.Await;

/**
 * The virtio-port branches of {@link FramedChannel} and {@link Session} outside QEMU: the agent's
 * end is a {@link ChannelOptions.Kind#VIRTIO_PORT} channel on the simulator's port socket, the
 * host's a socket channel on the simulator's host socket. The simulator plays the port's hang-up
 * ({@link SimulatedChannel#hangUpGuest()}): the agent's descriptor then reports {@code IN|HUP},
 * reads 0 and fails writes, as a real port does while no host is there.
 * What a socket cannot play, a port that turns writable again on the same descriptor, stays with
 * qemu-harness's {@code PortProbeTest}; here the agent opens the port again instead.
 */
class PortOnSimulatorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EventLoop loop;
    private ChannelSimulator sim;
    private SimulatedChannel channel;
    private final ChannelOptions port = ChannelOptions.defaults(ChannelOptions.Kind.VIRTIO_PORT);
    private final ChannelOptions socket = ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET);

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("port-sim-loop");
        sim = ChannelSimulator.start(dir);
        channel = sim.addVm("vm-1");
    }

    @AfterEach
    void stop() {
        loop.close();
        sim.close();
    }

    @Test
    void theHostArrivesAsThePortTurnsWritableAndAHangUpLeavesThePortChannelOpen() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        SessionPair.start(loop, connect(channel.hostSocket()), Role.ROLE_HOST, socket, host);
        channel.awaitStats(ChannelStats::hostConnected, WAIT);
        SessionPair.Recorder agent = new SessionPair.Recorder();
        Session agentSession = SessionPair.start(loop, connect(channel.guestSocket()), Role.ROLE_AGENT, port, agent);
        agent.awaitReady();
        host.awaitReady();
        assertEquals(1, agent.peerArrivals.get(), "the port turning writable is the host's arrival");

        channel.hangUpGuest(); // the port hangs up: IN|HUP and a zero read
        assertEquals("host gone", agent.notReady.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(onLoop(agentSession::isOpen), "a hang-up on a port is the host gone, not the channel's end: "
                + agent.closed.getNow(null));
        assertFalse(agent.closed.isDone(), "the owner is not told the channel closed");
        assertFalse(onLoop(agentSession::isReady));
        assertEquals(-1L, (long) onLoop(() -> agentSession.send(ping())), "nothing is sent while no host is there");
        loop.execute(agentSession::close);
        assertEquals(null, agent.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS), "closed on purpose, once");
    }

    @Test
    void thePortOpenedAgainAfterAHangUpGreetsTheSameHostAfresh() throws Exception {
        SessionPair.Recorder host = new SessionPair.Recorder();
        Session hostSession = SessionPair.start(loop, connect(channel.hostSocket()), Role.ROLE_HOST, socket, host);
        channel.awaitStats(ChannelStats::hostConnected, WAIT);
        SessionPair.Recorder first = new SessionPair.Recorder();
        Session firstPort = SessionPair.start(loop, connect(channel.guestSocket()), Role.ROLE_AGENT, port, first);
        Hello firstHello = host.awaitReady();
        first.awaitReady();
        channel.hangUpGuest();
        assertEquals("host gone", first.notReady.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        loop.execute(firstPort::close);
        channel.awaitStats(s -> !s.guestAttached(), WAIT);

        SessionPair.Recorder second = new SessionPair.Recorder();
        SessionPair.start(loop, connect(channel.guestSocket()), Role.ROLE_AGENT, port, second);
        second.awaitReady();
        Hello secondHello = host.awaitReady();
        assertEquals(1, second.peerArrivals.get());
        assertNotEquals(firstHello.getNonce(), secondHello.getNonce(), "a fresh nonce for the new port session");
        long pingId = onLoop(() -> hostSession.send(ping()));
        Envelope pong = Await.value("the pong from the port opened again", () -> host.envelopes.poll(),
                e -> e != null && e.hasPong() && e.getReplyTo() == pingId);
        assertEquals(42, pong.getPong().getUptimeMs());
    }

    private static Envelope.Builder ping() {
        return Envelope.newBuilder().setPing(Ping.getDefaultInstance());
    }

    /** A Unix socket's connect completes at once while the simulator listens with room in its backlog. */
    private static Fd connect(Path path) throws Exception {
        Sockets.Connecting connecting = Sockets.connect(path.toString());
        if (!connecting.connected()) {
            connecting.fd().close();
            throw new AssertionError("connect to " + path + " did not complete at once");
        }
        return connecting.fd();
    }

    private <T> T onLoop(Callable<T> body) throws Exception {
        return SessionPair.onLoop(loop, body);
    }
}
