package io.qtx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

/** The checked epoll level: the struct is written and read where C puts it, and errors name the call. */
class EpollSetTest {

    @Test
    void reportsTheReadyDescriptorAndItsEvents() throws NativeException {
        try (Arena arena = Arena.ofConfined(); EpollSet epoll = EpollSet.create(arena, 4)) {
            Fd[] pipe = Syscalls.pipe();
            try {
                epoll.add(pipe[0], EpollSet.EPOLLIN);
                assertEquals(0, epoll.await(0), "nothing written yet");
                pipe[1].write(arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1));
                assertEquals(1, epoll.await(0));
                assertEquals(pipe[0].intValue(), epoll.readyFd(0));
                assertEquals(EpollSet.EPOLLIN, epoll.readyEvents(0));

                epoll.modify(pipe[0], EpollSet.EPOLLIN | EpollSet.EPOLLET);
                assertEquals(1, epoll.await(0), "re-arming reports the unread byte once");
                assertEquals(0, epoll.await(0), "edge-triggered: not again");

                epoll.delete(pipe[0]);
                NativeException twice = assertThrows(NativeException.class, () -> epoll.delete(pipe[0]));
                assertEquals("epoll_ctl", twice.call());
                assertEquals(Errno.ENOENT, twice.errno());
            } finally {
                pipe[0].close();
                pipe[1].close();
            }
        }
    }
}
