package io.qtx.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.epoll_event;

/**
 * One epoll instance at the checked level: its descriptor, the array epoll_wait fills and the
 * one epoll_event epoll_ctl reads, laid out from the generated {@code epoll_event} (packed, 12
 * bytes, on x86-64; padded on aarch64), so no caller handles the struct. The memory comes from
 * the owner's arena and lives as long as the owner. The owner's thread only.
 */
public final class EpollSet implements AutoCloseable {

    public static final int EPOLLIN = Linux.EPOLLIN();
    public static final int EPOLLOUT = Linux.EPOLLOUT();
    public static final int EPOLLRDHUP = Linux.EPOLLRDHUP();
    public static final int EPOLLHUP = Linux.EPOLLHUP();
    public static final int EPOLLERR = Linux.EPOLLERR();
    public static final int EPOLLET = Linux.EPOLLET();

    private static final long EVENT_SIZE = epoll_event.layout().byteSize();
    private static final ValueLayout.OfInt EVENT_FD = (ValueLayout.OfInt) epoll_event.layout()
            .select(groupElement("data"), groupElement("fd"));
    private static final long EVENT_FD_OFFSET = epoll_event.layout().byteOffset(groupElement("data"), groupElement("fd"));

    private final Fd epoll;
    /** epoll_wait's output array of {@link #capacity} events. */
    private final MemorySegment ready;
    private final int capacity;
    /** The single epoll_event epoll_ctl reads. */
    private final MemorySegment ctl;

    private EpollSet(Fd epoll, Arena arena, int capacity) {
        this.epoll = epoll;
        this.capacity = capacity;
        this.ready = arena.allocate(EVENT_SIZE * capacity, 8);
        this.ctl = arena.allocate(EVENT_SIZE, 8);
    }

    /** A close-on-exec epoll instance reporting up to {@code maxEvents} per wait; memory from {@code arena}. */
    public static EpollSet create(Arena arena, int maxEvents) throws NativeException {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("maxEvents=" + maxEvents);
        }
        Fd fd = Syscalls.epollCreate();
        try {
            return new EpollSet(fd, arena, maxEvents);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The epoll descriptor itself. */
    public Fd fd() {
        return epoll;
    }

    /** Watches {@code target} for {@code events} (EPOLL* bits, EPOLLET included). */
    public void add(Fd target, int events) throws NativeException {
        control(Linux.EPOLL_CTL_ADD(), target, events);
    }

    /** Replaces what {@code target} is watched for. */
    public void modify(Fd target, int events) throws NativeException {
        control(Linux.EPOLL_CTL_MOD(), target, events);
    }

    /** Stops watching {@code target}. */
    public void delete(Fd target) throws NativeException {
        Syscalls.epollCtl(epoll, Linux.EPOLL_CTL_DEL(), target, null);
    }

    private void control(int op, Fd target, int events) throws NativeException {
        ctl.fill((byte) 0);
        epoll_event.events(ctl, events);
        ctl.set(EVENT_FD, EVENT_FD_OFFSET, target.checkedValue("epoll_ctl"));
        Syscalls.epollCtl(epoll, op, target, ctl);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: no limit, 0: do not wait) and returns how many
     * descriptors are ready; 0 on timeout or when a signal interrupted the wait.
     */
    public int await(int timeoutMillis) throws NativeException {
        return Syscalls.epollWait(epoll, ready, capacity, timeoutMillis);
    }

    /** The descriptor number of ready entry {@code i} of the last {@link #await}. */
    public int readyFd(int i) {
        return ready.get(EVENT_FD, i * EVENT_SIZE + EVENT_FD_OFFSET);
    }

    /** The events of ready entry {@code i} of the last {@link #await}. */
    public int readyEvents(int i) {
        return ready.get(epoll_event.events$layout(), i * EVENT_SIZE + epoll_event.events$offset());
    }

    @Override
    public void close() {
        epoll.close();
    }
}
