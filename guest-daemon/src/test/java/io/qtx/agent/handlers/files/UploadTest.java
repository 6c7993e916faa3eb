package io.qtx.agent.handlers.files;

import static io.qtx.agent.handlers.Requests.context;
import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.ffi.Xattrs;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FileWriteRequest;
import io.qtx.testkit.Await;

/** Uploads of several chunks replace their target atomically, or leave it as it was. */
class UploadTest {

    @TempDir
    Path tmp;
    Path root;
    Path journal;
    PathRules rules;
    Uploads uploads;
    FileWriteHandler handler;
    final byte[] id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.toRealPath().resolve("root"));
        journal = tmp.resolve("journal");
        rules = new PathRules(List.of(root), List.of(root), List.of());
        uploads = new Uploads(journal, Duration.ofMinutes(10), () -> false);
        handler = new FileWriteHandler(rules, 1 << 20, uploads);
    }

    private long chunk(Path target, long offset, byte[] data, boolean commit) throws Exception {
        return handler.handle(request().setFileWrite(FileWriteRequest.newBuilder().setPath(target.toString())
                .setUploadId(ByteString.copyFrom(id)).setOffset(offset).setData(ByteString.copyFrom(data))
                .setCommit(commit)).build(), context()).getFileWrite().getFileSize();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private List<Path> temporaries() throws IOException {
        try (var s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(Uploads.PREFIX)).toList();
        }
    }


    @Test
    void theTargetIsUntouchedUntilTheCommitThenReplacedWhole() throws Exception {
        Path f = root.resolve("disk.img");
        byte[] old = bytes(100_000, 1);
        Files.write(f, old);
        long inode = (Long) Files.getAttribute(f, "unix:ino");
        byte[] a = bytes(40_000, 2);
        byte[] b = bytes(30_000, 3);
        assertEquals(40_000, chunk(f, 0, a, false));
        assertEquals(70_000, chunk(f, 40_000, b, false));
        assertArrayEquals(old, Files.readAllBytes(f), "the old file, byte for byte, while the upload runs");
        assertEquals(1, temporaries().size());
        assertEquals(70_000, chunk(f, 70_000, new byte[0], true));
        byte[] expected = new byte[70_000];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, Files.readAllBytes(f));
        assertNotEquals(inode, (Long) Files.getAttribute(f, "unix:ino"), "renamed over, not rewritten");
        assertEquals(List.of(), temporaries());
        try (var s = Files.list(journal)) {
            assertEquals(0, s.count(), "the journal note goes with the upload");
        }
        Refusal again = assertThrows(Refusal.class, () -> chunk(f, 70_000, new byte[1], false));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, again.code(), "a committed upload takes no more chunks");
    }

    @Test
    void anUploadCutOffPartWayLeavesTheOldFileByteForByteAndIsDroppedAfterTheBound() throws Exception {
        uploads = new Uploads(journal, Duration.ofMillis(300), () -> false);
        handler = new FileWriteHandler(rules, 1 << 20, uploads);
        Path f = root.resolve("conf");
        byte[] old = bytes(50_000, 4);
        Files.write(f, old);
        chunk(f, 0, bytes(32_768, 5), false);
        chunk(f, 32_768, bytes(32_768, 6), false);
        // The host is gone: no more chunks, no commit.
        Await.until("the idle upload dropped", () -> uploads.openCount() == 0);
        assertEquals(List.of(), temporaries(), "its temporary file removed");
        assertArrayEquals(old, Files.readAllBytes(f));
        Refusal late = assertThrows(Refusal.class, () -> chunk(f, 65_536, bytes(10, 7), true));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, late.code());
        assertArrayEquals(old, Files.readAllBytes(f));
    }

    @Test
    void nothingIsRemovedWhileFilesystemsAreFrozen() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean frozen = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        uploads = new Uploads(journal, Duration.ofMillis(50), () -> {
            asked.incrementAndGet();
            return frozen.get();
        });
        handler = new FileWriteHandler(rules, 1 << 20, uploads);
        Path f = root.resolve("frozen");
        chunk(f, 0, bytes(100, 9), false);
        long idleOver = System.nanoTime() + Duration.ofMillis(50).toNanos();
        Await.until("the sweeper looking while frozen", () -> System.nanoTime() > idleOver && asked.get() >= 3);
        assertEquals(1, temporaries().size(), "an unlink on a frozen filesystem would block: it waits for the thaw");
        frozen.set(false);
        Await.until("the sweep after the thaw", () -> uploads.openCount() == 0);
        assertEquals(List.of(), temporaries());
    }

    @Test
    void whatAStoppedAgentLeftIsRemovedAtTheNextStart() throws Exception {
        Path f = root.resolve("data");
        Files.writeString(f, "old");
        chunk(f, 0, bytes(1000, 8), false);
        assertEquals(1, temporaries().size());
        Path decoy = Files.writeString(root.resolve("not-ours"), "x");
        Files.writeString(journal.resolve("0102"), decoy.toString());
        // A new agent on the same journal:
        assertEquals(1, new Uploads(journal, Duration.ofMinutes(10), () -> false).removeLeftovers());
        assertEquals(List.of(), temporaries());
        assertEquals("old", Files.readString(f));
        assertTrue(Files.exists(decoy), "a note naming a file not of our naming deletes nothing");
    }

    @Test
    void outOfOrderChunksAreRefusedAndAnAbortRemovesTheTemporaryFile() throws Exception {
        Path f = root.resolve("x");
        Files.writeString(f, "old");
        Refusal unknown = assertThrows(Refusal.class, () -> chunk(f, 10, new byte[1], false));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, unknown.code());
        chunk(f, 0, new byte[10], false);
        Refusal gap = assertThrows(Refusal.class, () -> chunk(f, 20, new byte[1], false));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, gap.code());
        Refusal other = assertThrows(Refusal.class, () -> chunk(root.resolve("y"), 10, new byte[1], false));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, other.code(), "one upload id, one target");
        handler.handle(request().setFileWrite(FileWriteRequest.newBuilder().setPath(f.toString())
                .setUploadId(ByteString.copyFrom(id)).setAbort(true)).build(), context());
        assertEquals(List.of(), temporaries());
        assertEquals("old", Files.readString(f));
    }

    @Test
    void aHostCannotOpenUploadsWithoutEnd() throws Exception {
        for (int i = 0; i < Uploads.MAX_OPEN; i++) {
            id[0] = (byte) i;
            chunk(root.resolve("f" + i), 0, new byte[1], false);
        }
        id[0] = (byte) 200;
        Refusal full = assertThrows(Refusal.class, () -> chunk(root.resolve("more"), 0, new byte[1], false));
        assertEquals(ErrorCode.ERROR_CODE_INTERNAL, full.code());
        assertEquals(Uploads.MAX_OPEN, temporaries().size());
    }

    /** A POSIX ACL as the kernel stores it in system.posix_acl_access: version 2, then (tag, perm, id) entries. */
    private static byte[] acl(int namedUid) {
        ByteBuffer b = ByteBuffer.allocate(4 + 5 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        b.putShort((short) 0x01).putShort((short) 6).putInt(-1);       // ACL_USER_OBJ rw-
        b.putShort((short) 0x02).putShort((short) 4).putInt(namedUid); // ACL_USER uid r--
        b.putShort((short) 0x04).putShort((short) 4).putInt(-1);       // ACL_GROUP_OBJ r--
        b.putShort((short) 0x10).putShort((short) 4).putInt(-1);       // ACL_MASK r--
        b.putShort((short) 0x20).putShort((short) 0).putInt(-1);       // ACL_OTHER ---
        return b.array();
    }

    @Test
    void ownerGroupModeAclAndExtendedAttributesOfTheOldFileAreKept() throws Exception {
        Path f = root.resolve("secret");
        Files.writeString(f, "old");
        Files.setAttribute(f, "unix:uid", 4321);
        Files.setAttribute(f, "unix:gid", 8765);
        Xattrs.set(f.toString(), "system.posix_acl_access", acl(1234));
        Files.setAttribute(f, "unix:mode", 02640);
        Xattrs.set(f.toString(), "user.origin", "customer".getBytes());
        Xattrs.set(f.toString(), "trusted.qtx", new byte[] {0, 1, 2});
        var before = Files.readAttributes(f, "unix:uid,gid,mode");
        byte[] aclBefore = Xattrs.get(f.toString(), "system.posix_acl_access");

        chunk(f, 0, "new".getBytes(), true);

        assertEquals("new", Files.readString(f));
        assertEquals(before, Files.readAttributes(f, "unix:uid,gid,mode"));
        assertArrayEquals(aclBefore, Xattrs.get(f.toString(), "system.posix_acl_access"));
        assertArrayEquals("customer".getBytes(), Xattrs.get(f.toString(), "user.origin"));
        assertArrayEquals(new byte[] {0, 1, 2}, Xattrs.get(f.toString(), "trusted.qtx"));
    }

    @Test
    void aWholeFileInOneRequestKeepsTheOwnerTooAndANewFileGetsTheRequestedMode() throws Exception {
        Path f = root.resolve("one");
        Files.writeString(f, "old");
        Files.setAttribute(f, "unix:uid", 4321);
        handler.handle(request().setFileWrite(FileWriteRequest.newBuilder().setPath(f.toString())
                .setData(ByteString.copyFromUtf8("new")).setTruncate(true)).build(), context());
        assertEquals("new", Files.readString(f));
        assertEquals(4321, Files.getAttribute(f, "unix:uid"));
        Path fresh = root.resolve("fresh");
        chunk(fresh, 0, "x".getBytes(), false);
        assertFalse(Files.exists(fresh), "a new file appears only at the commit");
        handler.handle(request().setFileWrite(FileWriteRequest.newBuilder().setPath(fresh.toString())
                .setUploadId(ByteString.copyFrom(id)).setOffset(1).setCommit(true).setMode(0600)).build(), context());
        assertEquals(0600, (Integer) Files.getAttribute(fresh, "unix:mode") & 0777);
        assertEquals(List.of(), temporaries());
    }
}
