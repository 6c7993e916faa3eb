package io.qtx.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.qtx.framing.FrameDescriptor;

/**
 * The same socket-pair framing on Netty's native epoll transport: one event-loop thread for
 * both ends, a ByteToMessageDecoder that finds QTX1 frames in the cumulation buffer and touches
 * each payload's length and first byte.
 */
final class NettyFraming implements AutoCloseable {

    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    private final Path dir;
    private final Channel server;
    private final Channel writer;
    private final ByteBuf stream;
    private final int framesPerPass;
    private volatile CompletableFuture<Long> done;
    private int framesLeft;
    private int streamsLeft;
    private long sink;

    NettyFraming(byte[] bytes, int framesPerPass, int maxPayload) throws Exception {
        this.framesPerPass = framesPerPass;
        this.stream = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        this.dir = Files.createTempDirectory("qtx-netty-framing");
        DomainSocketAddress address = new DomainSocketAddress(dir.resolve("pair.sock").toFile());
        server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Decoder(maxPayload));
                    }
                }).bind(address).sync().channel();
        writer = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                    }
                }).connect(address).sync().channel();
    }

    long pass() throws Exception {
        CompletableFuture<Long> finished = new CompletableFuture<>();
        group.execute(() -> {
            done = finished;
            streamsLeft = SocketpairFramingBenchmark.STREAMS_PER_OP;
            nextStream();
        });
        return finished.get(60, TimeUnit.SECONDS);
    }

    private void nextStream() {
        framesLeft = framesPerPass;
        int length = stream.readableBytes();
        for (int off = 0; off < length; off += 256 << 10) {
            writer.write(stream.retainedSlice(off, Math.min(256 << 10, length - off)));
        }
        writer.flush();
    }

    private final class Decoder extends ByteToMessageDecoder {
        private final int maxPayload;

        Decoder(int maxPayload) {
            this.maxPayload = maxPayload;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int frames = 0;
            while (in.readableBytes() >= FrameDescriptor.HEADER_LENGTH_V1) {
                int at = in.readerIndex();
                if (in.getInt(at) != FrameDescriptor.MAGIC_QTX1) {
                    in.skipBytes(1);
                    continue;
                }
                int len = in.getInt(at + 4);
                if (len < 0 || len > maxPayload) {
                    in.skipBytes(1);
                    continue;
                }
                if (in.readableBytes() < FrameDescriptor.HEADER_LENGTH_V1 + len) {
                    break;
                }
                sink += len + in.getByte(at + FrameDescriptor.HEADER_LENGTH_V1);
                in.skipBytes(FrameDescriptor.HEADER_LENGTH_V1 + len);
                frames++;
            }
            framesLeft -= frames;
            if (framesLeft == 0 && done != null) {
                if (--streamsLeft > 0) {
                    nextStream();
                } else {
                    CompletableFuture<Long> d = done;
                    done = null;
                    d.complete(sink);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        writer.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        stream.release();
        Files.deleteIfExists(dir.resolve("pair.sock"));
        Files.deleteIfExists(dir);
    }
}
