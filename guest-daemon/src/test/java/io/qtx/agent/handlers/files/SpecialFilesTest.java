package io.qtx.agent.handlers.files;

import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FileReadRequest;
import io.qtx.proto.FileWriteRequest;

/** A FIFO nobody writes to cannot hold a worker: refused by default, bounded when asked for. */
class SpecialFilesTest {

    @TempDir
    Path tmp;
    Path root;
    Path fifo;
    PathRules rules;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectory(tmp.toRealPath().resolve("root"));
        fifo = root.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        rules = new PathRules(List.of(root, Path.of("/dev")), List.of(root), List.of());
    }

    private static RequestContext within(Duration d) {
        return new RequestContext(1 << 20, System.nanoTime() + d.toNanos());
    }

    @Test
    void readAndWriteRefuseFifosAndDevicesUnlessAskedFor() {
        FileReadHandler read = new FileReadHandler(rules, 1 << 20);
        Refusal r = assertThrows(Refusal.class, () -> read.handle(request().setFileRead(FileReadRequest.newBuilder()
                .setPath(fifo.toString())).build(), within(Duration.ofMinutes(1))));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, r.code());
        assertTrue(r.getMessage().contains("FIFO"), r.getMessage());
        Refusal tty = assertThrows(Refusal.class, () -> read.handle(request().setFileRead(FileReadRequest.newBuilder()
                .setPath("/dev/zero")).build(), within(Duration.ofMinutes(1))));
        assertTrue(tty.getMessage().contains("character device"), tty.getMessage());
        FileWriteHandler write = new FileWriteHandler(rules, 1 << 20,
                new Uploads(tmp.resolve("journal"), Duration.ofMinutes(1), () -> false));
        Refusal w = assertThrows(Refusal.class, () -> write.handle(request().setFileWrite(FileWriteRequest.newBuilder()
                .setPath(fifo.toString()).setOffset(3).setData(ByteString.copyFromUtf8("x"))).build(),
                within(Duration.ofMinutes(1))));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, w.code());
        Refusal replace = assertThrows(Refusal.class, () -> write.handle(request().setFileWrite(FileWriteRequest
                .newBuilder().setPath(fifo.toString()).setTruncate(true).setAllowSpecial(true)
                .setData(ByteString.copyFromUtf8("x"))).build(), within(Duration.ofMinutes(1))));
        assertTrue(replace.getMessage().contains("never replaced"), replace.getMessage());
    }

    @Test
    void anAllowedReadOfAFifoNobodyWritesEndsAtTheDeadline() throws Exception {
        FileReadHandler read = new FileReadHandler(rules, 1 << 20);
        Refusal r = assertThrows(Refusal.class, () -> read.handle(request().setFileRead(FileReadRequest.newBuilder()
                .setPath(fifo.toString()).setAllowSpecial(true)).build(), within(Duration.ofMillis(300))));
        assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, r.code());
        assertTrue(!Thread.currentThread().isInterrupted(), "the worker goes back to the pool without an interrupt");
        // And one that has data is read:
        var chunk = read.handle(request().setFileRead(FileReadRequest.newBuilder().setPath("/dev/zero")
                .setLength(16).setAllowSpecial(true)).build(), within(Duration.ofSeconds(20))).getFileRead();
        assertEquals(16, chunk.getData().size());
    }
}
