package io.qtx.epoll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.ffi.ClosedFdException;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Sockets;
import io.qtx.ffi.Syscalls;

class EventLoopTest {

    private EventLoop loop;
    private Arena arena;

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.start("test-loop");
        arena = Arena.ofShared();
    }

    @AfterEach
    void stop() {
        loop.close();
        arena.close();
    }

    /** Echoes whatever arrives back to the sender, through a loop-owned buffer. */
    private IoHandler echo() {
        MemorySegment buffer = arena.allocate(4096);
        return (registration, events) -> {
            long n;
            while ((n = registration.fd().read(buffer)) > 0) {
                MemorySegment pending = buffer.asSlice(0, n);
                while (pending.byteSize() > 0) {
                    long w = registration.fd().write(pending);
                    if (w == Syscalls.WOULD_BLOCK) {
                        throw new IllegalStateException("echo peer stopped reading");
                    }
                    pending = pending.asSlice(w);
                }
            }
            if (n == 0) {
                registration.close();
            }
        };
    }

    /** Collects what arrives on a descriptor as strings. */
    private IoHandler collector(BlockingQueue<String> into) {
        MemorySegment buffer = arena.allocate(4096);
        return (registration, events) -> {
            long n;
            while ((n = registration.fd().read(buffer)) > 0) {
                into.add(new String(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }
        };
    }

    @Test
    void bytesEchoThroughTheLoopOverASocketpair() throws Exception {
        Fd[] pair = Sockets.socketpair();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        OnLoop.run(loop, () -> {
            loop.register(pair[0], IoEvents.READABLE, false, echo());
            loop.register(pair[1], IoEvents.READABLE, false, collector(received));
        });
        for (String message : List.of("ping", "second", "third message")) {
            MemorySegment out = arena.allocateFrom(message, java.nio.charset.StandardCharsets.US_ASCII)
                    .asSlice(0, message.length());
            OnLoop.run(loop, () -> pair[1].write(out));
            assertEquals(message, received.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aThousandDescriptorsAreRegisteredAndEachIsServed() throws Exception {
        int count = 1000;
        List<Fd[]> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pairs.add(Sockets.socketpair());
        }
        AtomicInteger served = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(count);
        MemorySegment buffer = arena.allocate(16);
        OnLoop.run(loop, () -> {
            for (Fd[] pair : pairs) {
                loop.register(pair[0], IoEvents.READABLE, false, (registration, events) -> {
                    if (registration.fd().read(buffer) == 1) {
                        served.incrementAndGet();
                        all.countDown();
                    }
                });
            }
            assertEquals(count, loop.registrationCount());
        });
        MemorySegment one = arena.allocate(1);
        for (Fd[] pair : pairs) {
            assertEquals(1, pair[1].write(one));
        }
        assertTrue(all.await(10, TimeUnit.SECONDS), "served " + served.get() + " of " + count);
        assertEquals(count, served.get());
        for (Fd[] pair : pairs) {
            pair[1].close();
        }
    }

    @Test
    void tasksHandedInFromOtherThreadsRunOnTheLoopInOrder() throws Exception {
        int threads = 4;
        int perThread = 500;
        List<List<Integer>> seen = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(threads * perThread);
        AtomicInteger offLoop = new AtomicInteger();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Integer> mine = new ArrayList<>();
            seen.add(mine);
            Thread submitter = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int value = i;
                    loop.execute(() -> {
                        if (!loop.inLoop()) {
                            offLoop.incrementAndGet();
                        }
                        mine.add(value);
                        done.countDown();
                    });
                }
            });
            submitters.add(submitter);
            submitter.start();
        }
        for (Thread submitter : submitters) {
            submitter.join();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(0, offLoop.get());
        for (List<Integer> list : seen) {
            assertEquals(perThread, list.size());
            for (int i = 0; i < perThread; i++) {
                assertEquals(i, list.get(i), "tasks from one thread run in submission order");
            }
        }
    }

    @Test
    void registeringOffTheLoopThreadIsRefusedWithAReason() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd a = pair[0]; Fd b = pair[1]) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> loop.register(a, IoEvents.READABLE, false, (r, ev) -> { }));
            assertTrue(e.getMessage().contains("not on event loop test-loop"), e.getMessage());
        }
    }

    @Test
    void registeringAClosedDescriptorFailsClearly() throws Exception {
        Fd[] pair = Sockets.socketpair();
        pair[0].close();
        pair[1].close();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE, false, (r, ev) -> { })));
        assertTrue(e.getCause() instanceof ClosedFdException, e.toString());
    }

    @Test
    void registeringTheSameDescriptorTwiceFails() throws Exception {
        Fd[] pair = Sockets.socketpair();
        try (Fd b = pair[1]) {
            OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE, false, (r, ev) -> { }));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE, false, (r, ev) -> { })));
            assertTrue(e.getCause().getMessage().contains("already registered"), e.getCause().getMessage());
        }
    }

    @Test
    void aHandlerThatThrowsLosesItsRegistrationAndTheLoopGoesOn() throws Exception {
        Fd[] bad = Sockets.socketpair();
        Fd[] good = Sockets.socketpair();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        OnLoop.run(loop, () -> {
            loop.register(bad[0], IoEvents.READABLE, false, (r, ev) -> {
                throw new IllegalStateException("handler bug (expected by this test)");
            });
            loop.register(good[0], IoEvents.READABLE, false, collector(received));
        });
        bad[1].write(arena.allocate(1));
        good[1].write(arena.allocateFrom("ok").asSlice(0, 2));
        assertEquals("ok", received.poll(5, TimeUnit.SECONDS));
        assertTrue(OnLoop.call(loop, () -> !bad[0].isOpen()), "the failing registration's fd is closed");
        bad[1].close();
        good[1].close();
    }

    @Test
    void theOwnerOfAFailedHandlerHearsOfItAfterItsDescriptorIsClosed() throws Exception {
        Fd[] bad = Sockets.socketpair();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        OnLoop.run(loop, () -> loop.register(bad[0], IoEvents.READABLE, false, new IoHandler() {
            @Override
            public void onEvents(Registration r, int events) {
                throw new IllegalStateException("handler bug (expected by this test)");
            }

            @Override
            public void failed(Registration r, Throwable cause) {
                heard.add((r.fd().isOpen() ? "open " : "closed ") + r.isRegistered() + " " + cause.getMessage());
            }
        }));
        bad[1].write(arena.allocate(1));
        assertEquals("closed false handler bug (expected by this test)", heard.poll(5, TimeUnit.SECONDS));
        bad[1].close();
    }

    @Test
    void aVirtualMachineErrorEndsTheLoopAndSaysSo() throws Exception {
        Fd[] pair = Sockets.socketpair();
        OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE, false, (r, ev) -> {
            throw new OutOfMemoryError("simulated (expected by this test)");
        }));
        pair[1].write(arena.allocate(1));
        Throwable cause = loop.ended().get(10, TimeUnit.SECONDS);
        assertTrue(cause instanceof OutOfMemoryError, String.valueOf(cause));
        assertTrue(loop.isTerminated());
        assertFalse(pair[0].isOpen(), "a dead loop closes what it owned");
        pair[1].close();
    }

    @Test
    void aClosedLoopEndsWithNoCause() throws Exception {
        loop.close();
        assertEquals(null, loop.ended().get(10, TimeUnit.SECONDS));
    }

    @Test
    void interestCanBeChangedAndARegistrationCancelledWithoutClosingItsFd() throws Exception {
        Fd[] pair = Sockets.socketpair();
        BlockingQueue<Integer> events = new LinkedBlockingQueue<>();
        Registration registration = OnLoop.call(loop,
                () -> loop.register(pair[0], IoEvents.READABLE, true, (r, ev) -> events.add(ev)));
        OnLoop.run(loop, () -> registration.setInterest(IoEvents.READABLE | IoEvents.WRITABLE));
        int ready = events.poll(5, TimeUnit.SECONDS);
        assertTrue((ready & IoEvents.WRITABLE) != 0, IoEvents.toString(ready));
        OnLoop.run(loop, registration::cancel);
        assertTrue(pair[0].isOpen());
        assertFalse(OnLoop.call(loop, registration::isRegistered));
        pair[0].close();
        pair[1].close();
    }

    @Test
    void closingTheLoopClosesEveryDescriptorItOwnsAndRefusesNewWork() throws Exception {
        Fd[] pair = Sockets.socketpair();
        OnLoop.run(loop, () -> loop.register(pair[0], IoEvents.READABLE, false, (r, ev) -> { }));
        loop.close();
        assertTrue(loop.isTerminated());
        assertFalse(pair[0].isOpen());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        loop.close();
        pair[1].close();
    }

    @Test
    void aReadAndAWriteOnOneSocketNeverWaitForEachOther() throws Exception {
        Fd[] pair = Sockets.socketpair();
        BlockingQueue<String> atA = new LinkedBlockingQueue<>();
        BlockingQueue<String> atB = new LinkedBlockingQueue<>();
        OnLoop.run(loop, () -> {
            loop.register(pair[0], IoEvents.READABLE, false, collector(atA));
            loop.register(pair[1], IoEvents.READABLE, false, collector(atB));
        });
        // Both ends are waiting to read; each can still write at once.
        OnLoop.run(loop, () -> {
            pair[0].write(arena.allocateFrom("to-b").asSlice(0, 4));
            pair[1].write(arena.allocateFrom("to-a").asSlice(0, 4));
        });
        assertArrayEquals(new String[] {"to-a", "to-b"},
                new String[] {atA.poll(5, TimeUnit.SECONDS), atB.poll(5, TimeUnit.SECONDS)});
    }
}
