package io.qtx.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.testkit.Await;

class UnixSocketsTest {

    @TempDir
    Path dir;
    private EventLoop loop;

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("unix-loop");
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private CompletableFuture<Fd> connect(String path) {
        CompletableFuture<Fd> result = new CompletableFuture<>();
        loop.execute(() -> UnixSockets.connect(loop, path, new UnixSockets.ConnectCallback() {
            @Override
            public void connected(Fd fd) {
                result.complete(fd);
            }

            @Override
            public void failed(IOException cause) {
                result.completeExceptionally(cause);
            }
        }));
        return result;
    }

    @Test
    void aClientConnectsAndTheListenerAcceptsIt() throws Exception {
        String path = dir.resolve("a.sock").toString();
        CompletableFuture<Fd> accepted = new CompletableFuture<>();
        OnLoop.run(loop, () -> UnixSockets.listen(loop, path, 4, accepted::complete));
        Fd client = connect(path).get(5, TimeUnit.SECONDS);
        Fd server = accepted.get(5, TimeUnit.SECONDS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hi = arena.allocateFrom("hi").asSlice(0, 2);
            assertEquals(2, client.write(hi));
            MemorySegment in = arena.allocate(8);
            long n = Await.value("the two bytes readable at the server", () -> server.read(in), got -> got >= 0);
            assertEquals(2, n);
        }
        client.close();
        server.close();
    }

    @Test
    void connectingToAMissingSocketFailsThroughTheCallbackNamingThePath() throws Exception {
        String path = dir.resolve("nobody.sock").toString();
        var failure = connect(path).handle((fd, e) -> e).get(5, TimeUnit.SECONDS);
        assertNotNull(failure);
        assertTrue(failure instanceof NativeException, failure.toString());
        assertEquals("connect(" + path + "): ENOENT (No such file or directory)", failure.getMessage());
    }
}
