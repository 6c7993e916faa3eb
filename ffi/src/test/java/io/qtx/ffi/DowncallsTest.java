package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.qtx.ffi.generated.Linux;

class DowncallsTest {

    @Test
    void aHandleIsLinkedOnItsFirstCallAndOnlyThen() throws Throwable {
        AtomicInteger links = new AtomicInteger();
        MethodHandle add = MethodHandles.lookup().findStatic(Math.class, "addExact",
                MethodType.methodType(int.class, int.class, int.class));
        MethodHandle lazy = Downcalls.lazily(add.type(), () -> {
            links.incrementAndGet();
            return add;
        });
        assertEquals(0, links.get());
        assertEquals(5, (int) lazy.invokeExact(2, 3));
        assertEquals(9, (int) lazy.invokeExact(4, 5));
        assertEquals(1, links.get());
    }

    @Test
    void aLazyErrnoHandleHasTheLinkersTypeAndCallsTheFunction() throws Throwable {
        MethodHandle getpid = Downcalls.withErrno(Linux.getpid$address(), Linux.getpid$descriptor());
        MethodHandle eager = Linker.nativeLinker().downcallHandle(Linux.getpid$address(), Linux.getpid$descriptor(),
                Linker.Option.captureCallState("errno"));
        assertEquals(eager.type(), getpid.type());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            assertEquals(ProcessHandle.current().pid(), (int) getpid.invokeExact(state));
        }
    }

    @Test
    void aLazyVariadicHandleCapturesErrno() {
        int r = RawSyscalls.fcntl(-1, Syscalls.F_GETFL, 0);
        assertEquals(-Errno.EBADF, r);
    }
}
