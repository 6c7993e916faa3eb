package io.qtx.epoll;

import io.qtx.ffi.EpollSet;

/** The readiness bits a handler is given and asks for: epoll's own, named. */
public final class IoEvents {

    public static final int READABLE = EpollSet.EPOLLIN;
    public static final int WRITABLE = EpollSet.EPOLLOUT;
    /** The peer shut its writing side down (EPOLLRDHUP). */
    public static final int PEER_CLOSED = EpollSet.EPOLLRDHUP;
    /** Hang-up (EPOLLHUP): always reported, never asked for. On a virtio port, "no host". */
    public static final int HANGUP = EpollSet.EPOLLHUP;
    /** An error is pending on the descriptor (EPOLLERR): always reported, never asked for. */
    public static final int ERROR = EpollSet.EPOLLERR;

    static final int EDGE_TRIGGERED = EpollSet.EPOLLET;

    private IoEvents() {
    }

    /** {@code "READABLE|HANGUP"}, for logs. */
    public static String toString(int events) {
        StringBuilder s = new StringBuilder();
        append(s, events, READABLE, "READABLE");
        append(s, events, WRITABLE, "WRITABLE");
        append(s, events, PEER_CLOSED, "PEER_CLOSED");
        append(s, events, HANGUP, "HANGUP");
        append(s, events, ERROR, "ERROR");
        append(s, events, EDGE_TRIGGERED, "EDGE");
        return s.isEmpty() ? "NONE" : s.toString();
    }

    private static void append(StringBuilder s, int events, int bit, String name) {
        if ((events & bit) != 0) {
            s.append(s.isEmpty() ? "" : "|").append(name);
        }
    }
}
