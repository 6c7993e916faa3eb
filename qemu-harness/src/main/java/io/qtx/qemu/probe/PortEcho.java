package io.qtx.qemu.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

/**
 * The port's side of the probe on the event loop: an edge-triggered echo that never lets a
 * read wait on a write or the other way round. Reads land straight in the outgoing buffer
 * behind what is still to be sent; reading stops only while that buffer is full, and writing
 * only while the port says EAGAIN.
 *
 * <p>Edge-triggered, each readiness is reported once, so the handler remembers it
 * ({@link #readable}, {@link #writable}) until a call returns EAGAIN. A read that returns 0 is
 * the port's "no host", not an end of file: the next host connection wakes the loop again.
 */
final class PortEcho {

    private static final int CAPACITY = 64 * 1024;
    /** One read() on a virtio port returns at most one 4 KiB buffer. */
    private static final int READ_CHUNK = 4096;
    /** Events logged one by one; after that only hang-ups, so a bulk transfer does not flood the console. */
    private static final int LOGGED_EVENTS = 20;

    private final Fd port;
    private final Arena arena = Arena.ofShared();
    /** Bytes to send are {@code [head, head + pending)}. */
    private final MemorySegment out = arena.allocate(CAPACITY);
    private int head;
    private int pending;
    private boolean readable;
    private boolean writable;
    private boolean connected;
    private boolean greeted;
    private int connections;
    private volatile long events;
    private volatile boolean connectedView;
    private long bytesIn;
    private long bytesOut;
    private int reads;

    PortEcho(Fd port) {
        this.port = port;
    }

    long events() {
        return events;
    }

    boolean connected() {
        return connectedView;
    }

    /** One read and one write before any epoll: what a daemon sees when it starts. */
    void firstReadAndWrite() throws NativeException {
        MemorySegment into = out.asSlice(0, READ_CHUNK);
        long n = port.read(into);
        if (n == Syscalls.WOULD_BLOCK) {
            PortProbe.say("first-read EAGAIN");
        } else {
            PortProbe.say("first-read n=" + n + (n > 0 ? " data=" + printable(into, (int) n) : ""));
            // Bytes a host left before the port was opened are echoed like any others.
            pending = (int) n;
            bytesIn += n;
        }
        MemorySegment greeting = greeting(connections + 1);
        long w = port.write(greeting);
        if (w == Syscalls.WOULD_BLOCK) {
            PortProbe.say("first-write EAGAIN");
        } else {
            PortProbe.say("first-write n=" + w);
            connectedNow();
            greeted = true;
            if (w < greeting.byteSize()) {
                append(greeting.asSlice(w));
            }
        }
    }

    void register(EventLoop loop, int interest) {
        try {
            loop.register(port, interest, true, this::onEvents);
            PortProbe.say("registered edge-triggered interest=" + IoEvents.toString(interest));
        } catch (NativeException e) {
            PortProbe.say("register failed " + e.getMessage());
        }
    }

    private void onEvents(Registration registration, int ready) throws NativeException {
        long n = ++events;
        boolean hangUp = (ready & IoEvents.HANGUP) != 0;
        if (n <= LOGGED_EVENTS || hangUp) {
            PortProbe.say("event n=" + n + " events=" + IoEvents.toString(ready));
        }
        if (hangUp) {
            if (connected) {
                PortProbe.say("host gone connection=" + connections + " bytes-in=" + bytesIn + " bytes-out=" + bytesOut);
            }
            connected = false;
            connectedView = false;
            greeted = false;
            writable = false;
            // QEMU drops whatever it had not delivered to the old client; so do we.
            head = 0;
            pending = 0;
        }
        if ((ready & IoEvents.WRITABLE) != 0) {
            writable = true;
            if (!connected) {
                connectedNow();
                PortProbe.say("host connected connection=" + connections + " events=" + IoEvents.toString(ready));
            }
            if (!greeted) {
                greeted = true;
                append(greeting(connections));
            }
        }
        if ((ready & IoEvents.READABLE) != 0) {
            readable = true;
        }
        pump();
    }

    private void connectedNow() {
        connected = true;
        connectedView = true;
        connections++;
        bytesIn = 0;
        bytesOut = 0;
    }

    private void pump() throws NativeException {
        boolean progress = true;
        while (progress) {
            progress = false;
            if (pending > 0 && writable) {
                long w = port.write(out.asSlice(head, pending));
                if (w == Syscalls.WOULD_BLOCK) {
                    writable = false;
                } else {
                    head += (int) w;
                    pending -= (int) w;
                    bytesOut += w;
                    progress = true;
                }
            }
            if (pending == 0) {
                head = 0;
            } else if (head > CAPACITY / 2) {
                MemorySegment.copy(out, head, out, 0, pending);
                head = 0;
            }
            int room = CAPACITY - head - pending;
            if (readable && room >= READ_CHUNK) {
                MemorySegment into = out.asSlice(head + pending, READ_CHUNK);
                long r = port.read(into);
                if (r == Syscalls.WOULD_BLOCK || r == 0) {
                    // 0: no host on the other end; its arrival is the next edge.
                    readable = false;
                } else {
                    if (++reads <= LOGGED_EVENTS && r <= 64) {
                        PortProbe.say("read n=" + r + " data=" + printable(into, (int) r));
                    }
                    pending += (int) r;
                    bytesIn += r;
                    progress = true;
                }
            }
        }
    }

    private void append(MemorySegment bytes) {
        if (head + pending + bytes.byteSize() > CAPACITY) {
            MemorySegment.copy(out, head, out, 0, pending);
            head = 0;
        }
        MemorySegment.copy(bytes, 0, out, head + pending, bytes.byteSize());
        pending += (int) bytes.byteSize();
    }

    private MemorySegment greeting(int connection) {
        byte[] text = ("HELLO " + connection + "\n").getBytes(StandardCharsets.US_ASCII);
        // Native, since write(2) is handed its address; one small segment per connection.
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, text);
    }

    /** The bytes as text, with non-printing ones escaped, for one console line. */
    static String printable(MemorySegment bytes, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = bytes.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            if (b == '\n') {
                s.append("\\n");
            } else if (b < 0x20 || b >= 0x7f || b == '\\') {
                s.append(String.format("\\x%02x", b));
            } else {
                s.append((char) b);
            }
        }
        return s.toString();
    }
}
