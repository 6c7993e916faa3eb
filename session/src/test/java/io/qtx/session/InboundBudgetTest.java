package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Sockets;
import io.qtx.framing.FrameWriter;
import io.qtx.protocol.ProtoFrames;
import io.qtx.protocol.WireLimits;
import io.qtx.proto.Envelope;
import io.qtx.proto.Ping;
import io.qtx.proto.Role;
import io.qtx.testkit.Await;

/** A channel's inbound budget: per wake-up, per second, structural limits; and a failing handler. */
class InboundBudgetTest {

    private EventLoop loop;
    private Fd[] pair;
    private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<IOException> closed = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("budget-loop");
        pair = Sockets.socketpair();
    }

    @AfterEach
    void stop() {
        loop.close();
        pair[1].close();
    }

    private <T> T onLoop(Callable<T> body) throws Exception {
        return SessionPair.onLoop(loop, body);
    }

    private FramedChannel channel(InboundBudget budget, Consumer<Envelope> onEnvelope) throws Exception {
        return onLoop(() -> {
            FramedChannel c = new FramedChannel(loop, pair[0],
                    ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET).withInbound(budget),
                    new ChannelListener() {
                        @Override
                        public void onEnvelope(Envelope envelope, byte frameVersion) {
                            onEnvelope.accept(envelope);
                        }

                        @Override
                        public void onClosed(IOException cause) {
                            closed.complete(cause);
                        }
                    });
            c.start();
            return c;
        });
    }

    private static Envelope ping(long id) {
        return Envelope.newBuilder().setId(id).setPing(Ping.getDefaultInstance()).build();
    }

    private void sendPings(int count) {
        try (Arena arena = Arena.ofConfined(); FrameWriter writer = new FrameWriter(1 << 20, 1 << 12)) {
            for (int id = 1; id <= count; id++) {
                ProtoFrames.offer(writer, ping(id));
            }
            MemorySegment frames = writer.readable(1 << 20);
            MemorySegment wire = arena.allocate(frames.byteSize());
            MemorySegment.copy(frames, 0, wire, 0, frames.byteSize());
            long[] at = {0};
            Await.until("every ping written, the channel reading as they come", () -> {
                long n = pair[1].write(wire.asSlice(at[0]));
                if (n > 0) {
                    at[0] += n;
                }
                return at[0] == wire.byteSize();
            });
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void awaitAll(int count) throws InterruptedException {
        for (int id = 1; id <= count; id++) {
            Envelope e = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(e, "envelope " + id + " never came");
            assertEquals(id, e.getId(), "in order, none lost");
        }
    }

    @Test
    void aSmallPerWakeBudgetYieldsToTheLoopButLosesNothing() throws Exception {
        FramedChannel c = channel(new InboundBudget(null, 64, 3, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, 1), received::add);
        sendPings(500);
        awaitAll(500);
        assertTrue(onLoop(() -> c.counters(0, 0, 0).budgetYields()) > 0, "a 3-frame budget must have yielded");
        assertEquals(0L, onLoop(() -> c.counters(0, 0, 0).throttles()));
    }

    @Test
    void overItsFrameRateAPeerIsReadLaterNotDropped() throws Exception {
        // 200 frames at 100 a second (burst 10): reading must stop and resume; all still arrive.
        FramedChannel c = channel(new InboundBudget(null, 1 << 20, 1 << 20, Double.POSITIVE_INFINITY, 100,
                Double.POSITIVE_INFINITY, 0.1), received::add);
        sendPings(200);
        try {
            awaitAll(200);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " throttles=" + onLoop(() -> c.counters(0, 0, 0).throttles()) + " paused="
                    + onLoop(c::isThrottled) + " stats=" + onLoop(c::readerStats) + " frames=" + onLoop(c::framesReceived));
        }
        assertTrue(onLoop(() -> c.counters(0, 0, 0).throttles()) > 0, "over the rate, reading pauses");
    }

    @Test
    void overItsByteRateAPeerIsThrottledToo() throws Exception {
        FramedChannel c = channel(new InboundBudget(null, 1 << 20, 1 << 20, 2000, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, 0.5), received::add);
        sendPings(400); // 12 bytes a frame: 4800 bytes at 2000 a second
        awaitAll(400);
        assertTrue(onLoop(() -> c.counters(0, 0, 0).throttles()) > 0);
    }

    @Test
    void aPayloadOverItsLimitsIsCountedAndNeverDelivered() throws Exception {
        WireLimits limits = WireLimits.of(Envelope.getDescriptor()).type("qtx.v1.Hello", 4, 4).build();
        FramedChannel c = channel(new InboundBudget(limits, 1 << 20, 1 << 20, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1), received::add);
        try (FrameWriter writer = new FrameWriter(1 << 16, 1 << 12)) {
            ProtoFrames.offer(writer, Envelope.newBuilder().setId(1).setHello(io.qtx.proto.Hello.newBuilder()
                    .setHostname("far too long")).build());
            ProtoFrames.offer(writer, ping(2));
            MemorySegment frames = writer.readable(1 << 16);
            pair[1].write(frames);
        }
        Envelope e = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(e);
        assertEquals(2, e.getId());
        assertEquals(1L, onLoop(c::envelopesOverLimits));
        assertEquals("qtx.v1.Hello.hostname: 12 bytes > 4", onLoop(() -> c.counters(0, 0, 0).lastOverLimit()));
    }

    @Test
    void aListenerThatThrowsClosesTheChannelThroughItsOwnClosePath() throws Exception {
        FramedChannel c = channel(InboundBudget.UNLIMITED, e -> {
            throw new IllegalStateException("listener bug (expected by this test)");
        });
        sendPings(1);
        IOException cause = closed.get(10, TimeUnit.SECONDS);
        assertNotNull(cause, "the owner hears onClosed with the failure");
        assertTrue(cause.getMessage().contains("listener bug"), cause.getMessage());
        assertFalse(onLoop(c::isOpen));
        assertFalse(onLoop(() -> c.fd().isOpen()), "the descriptor is closed, so no number is kept");
        assertEquals(0, onLoop(loop::registrationCount), "and the loop holds nothing of it");
    }

    @Test
    void pingsOverTheirRateAreNotAnswered() throws Exception {
        InboundBudget budget = new InboundBudget(null, 1 << 20, 1 << 20, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, 5, 1);
        ChannelOptions options = ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET).withInbound(budget);
        SessionPair.Recorder host = new SessionPair.Recorder();
        SessionPair.Recorder agent = new SessionPair.Recorder();
        Session h = SessionPair.start(loop, pair[0], Role.ROLE_HOST, options, host);
        Fd agentEnd = pair[1];
        Fd[] spare = Sockets.socketpair();
        spare[0].close();
        pair[1] = spare[1]; // the test's stop() closes this one instead; the loop owns agentEnd
        Session a = SessionPair.start(loop, agentEnd, Role.ROLE_AGENT,
                ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET), agent);
        host.awaitReady();
        agent.awaitReady();
        onLoop(() -> {
            for (int i = 0; i < 200; i++) {
                a.send(Envelope.newBuilder().setPing(Ping.getDefaultInstance()));
            }
            return null;
        });
        Await.until("a ping of the flood refused", () -> onLoop(() -> h.counters().pingsRefused()) > 0);
        assertTrue(onLoop(() -> h.counters().throttles()) > 0);
        assertTrue(onLoop(h::isOpen), "throttled, not closed: that is the owner's call");
    }
}
