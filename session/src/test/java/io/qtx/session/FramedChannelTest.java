package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Sockets;
import io.qtx.framing.FrameWriter;
import io.qtx.proto.Envelope;
import io.qtx.proto.Ping;
import io.qtx.protocol.ProtoFrames;
import io.qtx.testkit.Await;

class FramedChannelTest {

    private EventLoop loop;
    private Fd[] pair;
    private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<IOException> closed = new CompletableFuture<>();
    private FramedChannel channel;

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("channel-loop");
        pair = Sockets.socketpair();
        CompletableFuture<FramedChannel> started = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                FramedChannel c = new FramedChannel(loop, pair[0],
                        ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET).withOutboundCapacity(1 << 21),
                        new ChannelListener() {
                            @Override
                            public void onEnvelope(Envelope envelope, byte frameVersion) {
                                received.add(envelope);
                            }

                            @Override
                            public void onClosed(IOException cause) {
                                closed.complete(cause);
                            }
                        });
                c.start();
                started.complete(c);
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
        });
        channel = started.get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        loop.close();
        pair[1].close();
    }

    private static Envelope ping(long id) {
        return Envelope.newBuilder().setId(id).setPing(Ping.getDefaultInstance()).build();
    }

    @Test
    void framesBehindGarbageAndSplitAcrossWritesAllArriveInOrder() throws Exception {
        try (Arena arena = Arena.ofConfined(); FrameWriter writer = new FrameWriter(1 << 16, 1 << 12)) {
            for (int id = 1; id <= 50; id++) {
                ProtoFrames.offer(writer, ping(id));
            }
            MemorySegment frames = writer.readable(1 << 16);
            MemorySegment wire = arena.allocate(7 + frames.byteSize());
            wire.asSlice(0, 7).fill((byte) 0x51);
            MemorySegment.copy(frames, 0, wire, 7, frames.byteSize());
            for (long at = 0; at < wire.byteSize(); at += 3) {
                pair[1].write(wire.asSlice(at, Math.min(3, wire.byteSize() - at)));
            }
        }
        for (int id = 1; id <= 50; id++) {
            Envelope e = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(e, "envelope " + id);
            assertEquals(id, e.getId());
        }
    }

    @Test
    void endOfInputClosesTheChannelAndSaysWhy() throws Exception {
        pair[1].close();
        IOException cause = closed.get(5, TimeUnit.SECONDS);
        assertNotNull(cause);
        assertTrue(cause.getMessage().contains("peer closed") || cause.getMessage().contains("end of input"),
                cause.getMessage());
        CompletableFuture<Boolean> open = new CompletableFuture<>();
        loop.execute(() -> open.complete(channel.isOpen() || channel.fd().isOpen()));
        assertFalse(open.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aFullQueueRefusesInsteadOfGrowing() throws Exception {
        CompletableFuture<long[]> outcome = new CompletableFuture<>();
        loop.execute(() -> {
            Envelope big = Envelope.newBuilder().setId(1).setPing(Ping.getDefaultInstance())
                    .setSentUnixMs(1).build().toBuilder()
                    .setRequest(io.qtx.proto.Request.newBuilder().setFileWrite(io.qtx.proto.FileWriteRequest
                            .newBuilder().setData(com.google.protobuf.ByteString.copyFrom(new byte[64 * 1024]))))
                    .build();
            long accepted = 0;
            long refused = 0;
            for (int i = 0; i < 200; i++) {
                if (channel.send(big)) {
                    accepted++;
                } else {
                    refused++;
                }
            }
            outcome.complete(new long[] {accepted, refused, channel.pendingOutboundBytes()});
        });
        long[] r = outcome.get(5, TimeUnit.SECONDS);
        assertTrue(r[1] > 0, "nobody reads, so some sends are refused");
        assertTrue(r[2] <= 1 << 21, "queued bytes stay within the capacity: " + r[2]);
    }

    @Test
    void aPortWithNoHostKeepsNoTimerAndSleepsUntilItsNextEdge() throws Exception {
        Fd[] port = Sockets.socketpair();
        CompletableFuture<Integer> gone = new CompletableFuture<>();
        CompletableFuture<FramedChannel> started = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                FramedChannel c = new FramedChannel(loop, port[0], ChannelOptions.defaults(ChannelOptions.Kind.VIRTIO_PORT),
                        new ChannelListener() {
                            @Override
                            public void onEnvelope(Envelope envelope, byte frameVersion) {
                            }

                            @Override
                            public void onPeerGone() {
                                // The main channel's stall check is the one other timer on this loop.
                                gone.complete(loop.pendingTimers());
                            }

                            @Override
                            public void onClosed(IOException cause) {
                            }
                        });
                c.start();
                started.complete(c);
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
        });
        FramedChannel portChannel = started.get(5, TimeUnit.SECONDS);
        try {
            int timersWithHost = Await.value("the port's host present", () -> {
                CompletableFuture<Integer> timers = new CompletableFuture<>();
                loop.execute(() -> timers.complete(portChannel.isPeerPresent() ? loop.pendingTimers() : -1));
                return timers.get(5, TimeUnit.SECONDS);
            }, n -> n >= 0);
            assertEquals(2, timersWithHost, "a host: the stall check runs");
            port[1].close(); // the host leaves: a zero read
            assertEquals(1, gone.get(5, TimeUnit.SECONDS), "no host: this port's stall check is gone");
            CompletableFuture<Integer> after = new CompletableFuture<>();
            loop.execute(() -> after.complete(loop.pendingTimers()));
            assertEquals(1, after.get(5, TimeUnit.SECONDS));
        } finally {
            loop.execute(portChannel::close);
        }
    }
}
