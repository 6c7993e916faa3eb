package io.qtx.node;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Fd;
import io.qtx.proto.ClockTimes;
import io.qtx.proto.Envelope;
import io.qtx.session.ChannelListener;
import io.qtx.session.ChannelOptions;
import io.qtx.session.FramedChannel;
import io.qtx.session.Handshake;
import io.qtx.session.PeerClock;

/**
 * A broken agent that completes every handshake and answers nothing else, not even pings: what
 * qx-node must never call ready. Loop thread of its own event loop.
 */
final class HelloOnlyAgent implements ChannelListener {

    private final EventLoop loop;
    private final Handshake handshake = new Handshake(FakeAgent.identity("hello-only", null), new SecureRandom());
    private FramedChannel channel;
    private long nextId = 1;
    private boolean greeted;

    HelloOnlyAgent(EventLoop loop) {
        this.loop = loop;
    }

    CompletableFuture<Void> attach(Path port) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> UnixSockets.connect(loop, port.toString(), new UnixSockets.ConnectCallback() {
            @Override
            public void connected(Fd fd) {
                channel = new FramedChannel(loop, fd, new ChannelOptions(ChannelOptions.Kind.STREAM_SOCKET, 256 * 1024,
                        256 * 1024, 512 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(5)), HelloOnlyAgent.this);
                try {
                    channel.start();
                    done.complete(null);
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void failed(IOException cause) {
                done.completeExceptionally(cause);
            }
        }));
        return done;
    }

    @Override
    public void onEnvelope(Envelope envelope, byte frameVersion) {
        if (!envelope.hasHello()) {
            return; // pings and requests alike: never answered
        }
        long now = PeerClock.nowMs();
        channel.send(Envelope.newBuilder().setId(nextId++).setReplyTo(envelope.getId())
                .setHelloReply(handshake.answer(envelope.getHello()).toBuilder()
                        .setClock(ClockTimes.newBuilder().setReceivedMs(now).setSentMs(now))).build());
        if (!greeted) {
            greeted = true;
            channel.send(Envelope.newBuilder().setId(nextId++).setHello(handshake.newHello(System.currentTimeMillis()))
                    .build());
        }
    }

    @Override
    public void onClosed(IOException cause) {
    }

    void close() {
        loop.execute(() -> {
            if (channel != null) {
                channel.close();
            }
        });
    }
}
