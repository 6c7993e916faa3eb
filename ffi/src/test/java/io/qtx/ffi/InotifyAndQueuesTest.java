package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InotifyAndQueuesTest {

    @TempDir
    Path dir;

    @Test
    void reportsCreateAndDeleteWithTheNameAndWalksSeveralRecordsInOneRead() throws Exception {
        try (Fd inotify = Inotify.init(); Arena arena = Arena.ofConfined()) {
            Inotify.addWatch(inotify, dir.toString(), Inotify.IN_CREATE | Inotify.IN_DELETE);
            Files.createFile(dir.resolve("a.agent.sock"));
            Files.createFile(dir.resolve("a-much-longer-name-than-the-first.agent.sock"));
            Files.delete(dir.resolve("a.agent.sock"));
            MemorySegment buffer = arena.allocate(4096, 8);
            long n = inotify.read(buffer);
            List<String> seen = new ArrayList<>();
            int count = Inotify.forEachEvent(buffer, n, (watch, mask, name) ->
                    seen.add((Inotify.any(mask, Inotify.IN_CREATE) ? "+" : "-") + name));
            assertEquals(3, count);
            assertEquals(List.of("+a.agent.sock", "+a-much-longer-name-than-the-first.agent.sock", "-a.agent.sock"), seen);
            assertEquals(Syscalls.WOULD_BLOCK, inotify.read(buffer), "non-blocking once drained");
        }
    }

    @Test
    void aRecordCutShortEndsTheWalk() throws Exception {
        try (Fd inotify = Inotify.init(); Arena arena = Arena.ofConfined()) {
            Inotify.addWatch(inotify, dir.toString(), Inotify.IN_CREATE);
            Files.createFile(dir.resolve("x"));
            MemorySegment buffer = arena.allocate(4096, 8);
            long n = inotify.read(buffer);
            assertEquals(0, Inotify.forEachEvent(buffer, n - 1, (w, m, name) -> { }));
        }
    }

    @Test
    void unreadByPeerCountsBytesUntilThePeerReadsThem() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd a = pair[0]; Fd b = pair[1]; Arena arena = Arena.ofConfined()) {
            assertEquals(0, SocketQueues.unreadByPeer(a));
            a.write(arena.allocateFrom("hello"));
            assertTrue(SocketQueues.unreadByPeer(a) >= 5, "written and not read yet");
            b.read(arena.allocate(64));
            assertEquals(0, SocketQueues.unreadByPeer(a));
        }
    }

    @Test
    void bytesToAConnectionNobodyAcceptedStayUnread() throws Exception {
        String path = dir.resolve("backlog.sock").toString();
        try (Fd listener = Sockets.listen(path, 1); Arena arena = Arena.ofConfined()) {
            Sockets.Connecting c = Sockets.connect(path);
            try (Fd client = c.fd()) {
                assertTrue(c.connected(), "a Unix connect into the backlog succeeds at once");
                client.write(arena.allocateFrom("hello"));
                assertTrue(SocketQueues.unreadByPeer(client) >= 5);
            }
        }
    }
}
