package io.qtx.agent.handlers.files;

import static io.qtx.agent.handlers.Requests.context;
import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import io.qtx.agent.handlers.Errors;
import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.PathRules;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.DeleteRequest;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FileReadChunk;
import io.qtx.proto.FileReadRequest;
import io.qtx.proto.FileStat;
import io.qtx.proto.FileType;
import io.qtx.proto.FileWriteRequest;
import io.qtx.proto.ListDirPage;
import io.qtx.proto.ListDirRequest;
import io.qtx.proto.MakeDirRequest;
import io.qtx.proto.StatRequest;

class FileHandlersTest {

    @TempDir
    Path tmp;
    Path root;
    PathRules rules;

    @BeforeEach
    void setUp() throws IOException {
        Path real = tmp.toRealPath();
        root = Files.createDirectory(real.resolve("root"));
        Files.createDirectory(real.resolve("outside"));
        rules = new PathRules(List.of(root), List.of(root), List.of());
    }

    private Uploads uploads() {
        return new Uploads(tmp.resolve("journal"), java.time.Duration.ofMinutes(10), () -> false);
    }

    private FileWriteRequest.Builder write(String name, String data) {
        return FileWriteRequest.newBuilder().setPath(root.resolve(name).toString()).setData(ByteString.copyFromUtf8(data));
    }

    private long writeOk(FileWriteRequest.Builder w) throws Exception {
        return new FileWriteHandler(rules, 1 << 20, uploads()).handle(request().setFileWrite(w).build(), context())
                .getFileWrite().getFileSize();
    }

    @Test
    void wholeFileIsReplacedAtomicallyKeepingItsMode() throws Exception {
        Path f = root.resolve("conf");
        Files.writeString(f, "old old old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        long inode = (Long) Files.getAttribute(f, "unix:ino");
        assertEquals(3, writeOk(write("conf", "new").setTruncate(true)));
        assertEquals("new", Files.readString(f));
        assertNotEquals(inode, (Long) Files.getAttribute(f, "unix:ino"), "a new file renamed over the old one");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        try (var s = Files.list(root)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void chunksAtOffsetsAppendAndTruncate() throws Exception {
        writeOk(write("f", "hello world"));
        writeOk(write("f", "HE").setOffset(0));
        assertEquals("HEllo world", Files.readString(root.resolve("f")));
        writeOk(write("f", "!").setAppend(true));
        assertEquals("HEllo world!", Files.readString(root.resolve("f")));
        assertEquals(7, writeOk(write("f", "XY").setOffset(5).setTruncate(true)));
        assertEquals("HElloXY", Files.readString(root.resolve("f")));
        writeOk(write("m", "x").setMode(0600));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("m"))));
    }

    @Test
    void parentsOnlyOnRequest() throws Exception {
        Refusal r = assertThrows(Refusal.class, () -> writeOk(write("a/b/c", "x")));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, r.code());
        writeOk(write("a/b/c", "x").setCreateParents(true));
        assertEquals("x", Files.readString(root.resolve("a/b/c")));
    }

    @Test
    void oversizeChunkBadModeAndOutsidePathsAreRefused() {
        FileWriteHandler small = new FileWriteHandler(rules, 4, uploads());
        Refusal big = assertThrows(Refusal.class,
                () -> small.handle(request().setFileWrite(write("f", "12345")).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, big.code());
        Refusal mode = assertThrows(Refusal.class, () -> writeOk(write("f", "x").setMode(04755)));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, mode.code());
        Refusal out = assertThrows(Refusal.class, () -> writeOk(write("x", "x")
                .setPath(root.getParent().resolve("outside/x").toString())));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, out.code());
        Refusal dots = assertThrows(Refusal.class, () -> writeOk(write("x", "x").setPath(root + "/../outside/x")));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, dots.code());
    }

    private FileReadChunk read(String path, long offset, int length, RequestContext ctx) throws Exception {
        return new FileReadHandler(rules, 1 << 20).handle(request().setFileRead(FileReadRequest.newBuilder()
                .setPath(path).setOffset(offset).setLength(length)).build(), ctx).getFileRead();
    }

    @Test
    void readsInChunksToEof() throws Exception {
        byte[] data = new byte[100_000];
        new java.util.Random(1).nextBytes(data);
        Files.write(root.resolve("blob"), data);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        long offset = 0;
        int chunks = 0;
        FileReadChunk c;
        do {
            c = read(root + "/blob", offset, 0, context());
            got.write(c.getData().toByteArray());
            offset += c.getData().size();
            chunks++;
            assertEquals(100_000, c.getFileSize());
        } while (!c.getEof());
        assertEquals(4, chunks, "32 KiB default chunks");
        assertTrue(java.util.Arrays.equals(data, got.toByteArray()));
        // The reply's room caps a chunk too.
        assertEquals(1000 - 128, read(root + "/blob", 0, 1 << 20, new RequestContext(1000, Long.MAX_VALUE))
                .getData().size());
    }

    @Test
    void readErrorsMapToProtocolCodes() throws Exception {
        Files.createDirectory(root.resolve("d"));
        Refusal dir = assertThrows(Refusal.class, () -> read(root + "/d", 0, 0, context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, dir.code());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> read(root + "/missing", 0, 0, context()));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, Errors.of(missing).getError().getCode());
        Refusal etc = assertThrows(Refusal.class, () -> read("/etc/hostname", 0, 0, context()));
        assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, etc.code());
    }

    @Test
    void statFollowsOrNot() throws Exception {
        Files.writeString(root.resolve("t"), "12345");
        Files.createSymbolicLink(root.resolve("l"), root.resolve("t"));
        StatHandler stat = new StatHandler(rules, Users.system());
        FileStat followed = stat.handle(request().setStat(StatRequest.newBuilder().setPath(root + "/l")).build(),
                context()).getStat();
        assertEquals(FileType.FILE_TYPE_REGULAR, followed.getType());
        assertEquals(5, followed.getSize());
        assertEquals("root", followed.getOwner());
        FileStat link = stat.handle(request().setStat(StatRequest.newBuilder().setPath(root + "/l").setNoFollow(true))
                .build(), context()).getStat();
        assertEquals(FileType.FILE_TYPE_SYMLINK, link.getType());
        assertEquals(root.resolve("t").toString(), link.getSymlinkTarget());
        assertEquals(root + "/l", link.getName());
    }

    @Test
    void listingIsPagedInNameOrder() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String n = "f" + (char) ('a' + (i * 7) % 25);
            names.add(n);
            Files.writeString(root.resolve(n), "");
        }
        names.sort(null);
        ListDirHandler list = new ListDirHandler(rules, Users.system());
        List<String> seen = new ArrayList<>();
        int offset = 0;
        ListDirPage page;
        do {
            page = list.handle(request().setListDir(ListDirRequest.newBuilder().setPath(root.toString())
                    .setOffset(offset).setPageSize(10)).build(), context()).getListDir();
            page.getEntriesList().forEach(e -> seen.add(e.getName()));
            offset = page.getNextOffset();
        } while (page.getMore());
        assertEquals(names, seen);
        Refusal notDir = assertThrows(Refusal.class, () -> list.handle(request().setListDir(
                ListDirRequest.newBuilder().setPath(root + "/fa")).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, notDir.code());
    }

    @Test
    void mkdirAndParents() throws Exception {
        MakeDirHandler mkdir = new MakeDirHandler(rules);
        mkdir.handle(request().setMakeDir(MakeDirRequest.newBuilder().setPath(root + "/d").setMode(0700)).build(),
                context());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("d"))));
        IOException exists = assertThrows(IOException.class, () -> mkdir.handle(request().setMakeDir(
                MakeDirRequest.newBuilder().setPath(root + "/d")).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, Errors.of(exists).getError().getCode());
        mkdir.handle(request().setMakeDir(MakeDirRequest.newBuilder().setPath(root + "/d/x/y").setParents(true))
                .build(), context());
        assertTrue(Files.isDirectory(root.resolve("d/x/y")));
    }

    @Test
    void deleteIsRecursiveOnlyOnRequestAndNeverFollowsLinks() throws Exception {
        Path outside = root.getParent().resolve("outside");
        Files.writeString(outside.resolve("keep"), "k");
        Files.createDirectories(root.resolve("tree/sub"));
        Files.writeString(root.resolve("tree/sub/f"), "x");
        Files.createSymbolicLink(root.resolve("tree/link"), outside);
        DeleteHandler delete = new DeleteHandler(rules);
        IOException notEmpty = assertThrows(IOException.class, () -> delete.handle(request().setDelete(
                DeleteRequest.newBuilder().setPath(root + "/tree")).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, Errors.of(notEmpty).getError().getCode());
        delete.handle(request().setDelete(DeleteRequest.newBuilder().setPath(root + "/tree").setRecursive(true))
                .build(), context());
        assertFalse(Files.exists(root.resolve("tree")));
        assertEquals("k", Files.readString(outside.resolve("keep")));
        IOException missing = assertThrows(IOException.class, () -> delete.handle(request().setDelete(
                DeleteRequest.newBuilder().setPath(root + "/tree")).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, Errors.of(missing).getError().getCode());
    }

    @Test
    void deletingALinkRemovesTheLinkOnly() throws Exception {
        Path outside = root.getParent().resolve("outside");
        Files.writeString(outside.resolve("target"), "t");
        Files.createSymbolicLink(root.resolve("l"), outside.resolve("target"));
        new DeleteHandler(rules).handle(request().setDelete(DeleteRequest.newBuilder().setPath(root + "/l")).build(),
                context());
        assertFalse(Files.exists(root.resolve("l"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("target")));
    }
}
