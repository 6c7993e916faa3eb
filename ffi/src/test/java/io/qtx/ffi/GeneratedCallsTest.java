package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.epoll_event;
import io.qtx.ffi.generated.timespec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.junit.jupiter.api.Test;

/** Calls a few generated functions for real: libc is found, and the layouts work with the kernel. */
class GeneratedCallsTest {

    /**
     * {@code epoll_event.data.u64} through the packed epoll_event layout, which allows the
     * misaligned access. {@code epoll_data.u64(epoll_event.data(ev))} does not: epoll_data's
     * own layout wants 8-byte alignment, and data sits at offset 4.
     */
    private static final VarHandle DATA_U64 = epoll_event.layout().varHandle(
            MemoryLayout.PathElement.groupElement("data"), MemoryLayout.PathElement.groupElement("u64"));

    @Test
    void getpidIsThisProcess() {
        assertEquals(ProcessHandle.current().pid(), Linux.getpid());
    }

    @Test
    void strerrorNamesEinval() {
        // The generated C_POINTER targets an unbounded byte sequence, so no reinterpret is needed.
        MemorySegment msg = Linux.strerror(Linux.EINVAL());
        assertEquals("Invalid argument", msg.getString(0));
    }

    @Test
    void clockGettimeMonotonicFillsATimespec() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = timespec.allocate(arena);
            assertEquals(0, Linux.clock_gettime(Linux.CLOCK_MONOTONIC(), ts));
            long nsec = timespec.tv_nsec(ts);
            assertTrue(nsec >= 0 && nsec < 1_000_000_000L, "tv_nsec " + nsec);
            assertTrue(timespec.tv_sec(ts) >= 0);
        }
    }

    @Test
    void epollReportsAnEventfdThroughThePackedEpollEvent() {
        int efd = Linux.eventfd(0, Linux.EFD_CLOEXEC() | Linux.EFD_NONBLOCK());
        assertTrue(efd >= 0, "eventfd");
        int ep = Linux.epoll_create1(Linux.EPOLL_CLOEXEC());
        try (Arena arena = Arena.ofConfined()) {
            assertTrue(ep >= 0, "epoll_create1");
            long cookie = 0x1122_3344_5566_7788L; // all 8 bytes of data, misaligned at offset 4
            MemorySegment ev = epoll_event.allocate(arena);
            epoll_event.events(ev, Linux.EPOLLIN() | Linux.EPOLLET());
            DATA_U64.set(ev, 0L, cookie);
            assertEquals(0, Linux.epoll_ctl(ep, Linux.EPOLL_CTL_ADD(), efd, ev));

            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
            assertEquals(8, Linux.write(efd, one, 8));

            MemorySegment events = epoll_event.allocateArray(2, arena);
            assertEquals(1, Linux.epoll_wait(ep, events, 2, 1000));
            MemorySegment got = epoll_event.asSlice(events, 0);
            assertEquals(Linux.EPOLLIN(), epoll_event.events(got) & Linux.EPOLLIN());
            assertEquals(cookie, (long) DATA_U64.get(got, 0L));
        } finally {
            if (ep >= 0) {
                Linux.close(ep);
            }
            Linux.close(efd);
        }
    }

    @Test
    void variadicFcntlThroughItsInvoker() {
        int efd = Linux.eventfd(0, Linux.EFD_CLOEXEC());
        assertTrue(efd >= 0, "eventfd");
        try {
            int flags = Linux.fcntl.makeInvoker().apply(efd, Linux.F_GETFD());
            assertEquals(Linux.FD_CLOEXEC(), flags & Linux.FD_CLOEXEC());
        } finally {
            Linux.close(efd);
        }
    }
}
