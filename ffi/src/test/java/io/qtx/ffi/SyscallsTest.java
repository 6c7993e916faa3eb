package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyscallsTest {

    @TempDir
    Path dir;

    @Test
    void connectingToAMissingSocketNamesTheCallThePathAndTheErrno() {
        String path = dir.resolve("missing.sock").toString();
        NativeException e = assertThrows(NativeException.class, () -> Sockets.connect(path));
        assertEquals("connect(" + path + "): ENOENT (No such file or directory)", e.getMessage());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("connect", e.call());
    }

    @Test
    void connectingToASocketNobodyListensOnIsRefused() throws Exception {
        String path = dir.resolve("dead.sock").toString();
        try (Fd listener = Sockets.listen(path, 1)) {
            // listening socket closed below; the file stays, nobody accepts
        }
        NativeException e = assertThrows(NativeException.class, () -> Sockets.connect(path));
        assertEquals("connect(" + path + "): ECONNREFUSED (Connection refused)", e.getMessage());
    }

    @Test
    void aSocketPathTheKernelWouldTruncateIsRefusedWithAReason() {
        String path = dir.resolve("x".repeat(120)).toString();
        NativeException e = assertThrows(NativeException.class, () -> Sockets.listen(path, 1));
        assertEquals(Errno.ENAMETOOLONG, e.errno());
        assertTrue(e.getMessage().startsWith("bind(" + path + " is "), e.getMessage());
    }

    @Test
    void closingTwiceIsANoOpAndUseAfterCloseSaysClosed() throws Exception {
        Fd[] pair = Sockets.socketpair();
        pair[1].close();
        Fd fd = pair[0];
        fd.close();
        fd.close();
        assertFalse(fd.isOpen());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(16);
            ClosedFdException e = assertThrows(ClosedFdException.class, () -> fd.read(buffer));
            assertTrue(e.getMessage().startsWith("read(fd "), e.getMessage());
            assertEquals("EBADF", e.errnoName());
        }
    }

    @Test
    void anEmptyNonBlockingSocketReportsWouldBlockNotAnException() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd a = pair[0]; Fd b = pair[1]; Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64);
            assertEquals(Syscalls.WOULD_BLOCK, a.read(buffer));
            MemorySegment hello = arena.allocateFrom("hello");
            assertEquals(hello.byteSize(), b.write(hello));
            assertEquals(hello.byteSize(), a.read(buffer));
            assertEquals("hello", buffer.getString(0));
        }
    }

    @Test
    void aFullSocketReportsWouldBlockAndShortWritesAreCounted() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd a = pair[0]; Fd b = pair[1]; Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(1 << 16);
            long total = 0;
            long n;
            while ((n = a.write(chunk)) != Syscalls.WOULD_BLOCK) {
                assertTrue(n > 0 && n <= chunk.byteSize());
                total += n;
            }
            assertTrue(total > 0);
            long drained = 0;
            while ((n = b.read(chunk)) > 0) {
                drained += n;
            }
            assertEquals(total, drained);
        }
    }

    @Test
    void writingToAPeerThatVanishedIsEpipeNotACrash() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd a = pair[0]; Arena arena = Arena.ofConfined()) {
            pair[1].close();
            NativeException e = assertThrows(NativeException.class, () -> a.write(arena.allocate(32)));
            assertEquals("EPIPE", e.errnoName());
            assertEquals(0, a.read(arena.allocate(32)), "end of input after the peer left");
        }
    }

    @Test
    void aDeviceOpensNonBlockingAndCloseOnExec() throws Exception {
        try (Fd fd = Syscalls.openDevice("/dev/null")) {
            assertNotEquals(0, Syscalls.statusFlags(fd) & Syscalls.O_NONBLOCK);
        }
        NativeException e = assertThrows(NativeException.class, () -> Syscalls.openDevice("/dev/qtx-no-such-port"));
        assertEquals("open(/dev/qtx-no-such-port): ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void unlinkSaysWhetherThereWasAFile() throws Exception {
        Path file = Files.createFile(dir.resolve("f"));
        assertTrue(Syscalls.unlink(file.toString()));
        assertFalse(Syscalls.unlink(file.toString()));
    }

    @Test
    void shutdownOfOutputIsSeenAsEndOfInputByThePeerAndIsIdempotent() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd a = pair[0]; Fd b = pair[1]; Arena arena = Arena.ofConfined()) {
            a.shutdown(false, true);
            a.shutdown(false, true);
            assertTrue(a.isOutputShutdown());
            assertFalse(a.isInputShutdown());
            assertEquals(0, b.read(arena.allocate(8)));
        }
    }

    @Test
    void errnoNamesAndTextsComeFromTheCLibrary() {
        assertEquals("EAGAIN (Resource temporarily unavailable)", Errno.describe(Errno.EAGAIN));
        assertEquals("errno 4095", Errno.name(4095));
    }
}
