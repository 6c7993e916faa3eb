package io.qtx.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The same ping-pong on the JDK's own NIO: a Selector thread, direct ByteBuffers, and an
 * AF_UNIX stream pair (NIO has no socketpair, so a listener makes the pair once).
 */
final class NioPingPong implements PingPongBenchmark.PingPong {

    private final Selector selector;
    private final SocketChannel clientChannel;
    private final SocketChannel echoChannel;
    private final ByteBuffer ping;
    private final ByteBuffer clientBuffer;
    private final ByteBuffer echoBuffer;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final Path dir;
    private final int messageSize;
    private volatile boolean running = true;
    private int received;
    private int remaining;
    private CompletableFuture<Long> done;

    NioPingPong(int messageSize) throws IOException {
        this.messageSize = messageSize;
        this.dir = Files.createTempDirectory("qtx-nio-bench");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("pair.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            clientChannel = SocketChannel.open(address);
            echoChannel = server.accept();
        }
        Files.deleteIfExists(address.getPath());
        clientChannel.configureBlocking(false);
        echoChannel.configureBlocking(false);
        ping = ByteBuffer.allocateDirect(messageSize);
        clientBuffer = ByteBuffer.allocateDirect(messageSize);
        echoBuffer = ByteBuffer.allocateDirect(messageSize * 4);
        selector = Selector.open();
        clientChannel.register(selector, SelectionKey.OP_READ, (Runnable) this::clientReady);
        echoChannel.register(selector, SelectionKey.OP_READ, (Runnable) this::echo);
        thread = Thread.ofPlatform().name("bench-nio").daemon(true).start(this::loop);
    }

    private void loop() {
        try {
            while (running) {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    ((Runnable) key.attachment()).run();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void echo() {
        try {
            int n;
            while ((n = echoChannel.read(echoBuffer.clear())) > 0) {
                echoBuffer.flip();
                writeFully(echoChannel, echoBuffer);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void clientReady() {
        try {
            int n;
            while ((n = clientChannel.read(clientBuffer.clear())) > 0) {
                received += n;
                if (received == messageSize) {
                    received = 0;
                    if (--remaining == 0) {
                        done.complete(0L);
                        return;
                    }
                    writeFully(clientChannel, ping.clear());
                }
            }
        } catch (IOException e) {
            done.completeExceptionally(e);
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                throw new IllegalStateException("socket buffer full in a ping-pong");
            }
        }
    }

    @Override
    public long run(int roundTrips) throws Exception {
        CompletableFuture<Long> finished = new CompletableFuture<>();
        tasks.add(() -> {
            done = finished;
            remaining = roundTrips;
            try {
                writeFully(clientChannel, ping.clear());
            } catch (IOException e) {
                finished.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return finished.get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        running = false;
        selector.wakeup();
        thread.join(5_000);
        selector.close();
        clientChannel.close();
        echoChannel.close();
        Files.deleteIfExists(dir);
    }
}
