package io.qtx.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One direction of a channel: bytes read from one socket, held here, and written to another.
 * Counts what it takes in, gives out and drops; knows nothing of who is connected.
 * Confined to the simulator's thread.
 */
final class Pipe {

    /** Bytes read but not yet written, kept in fill mode (position = bytes held). */
    private final ByteBuffer held;
    /** Receives bytes that have nowhere to go; its content is never looked at. */
    private final ByteBuffer sink = ByteBuffer.allocate(4096);
    private long bytesIn;
    private long bytesOut;
    private long bytesDropped;

    Pipe(int capacity) {
        held = ByteBuffer.allocate(capacity);
    }

    boolean hasRoom() {
        return held.hasRemaining();
    }

    int held() {
        return held.position();
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    long bytesDropped() {
        return bytesDropped;
    }

    /** Reads what fits from {@code from}: the count, 0 when nothing is there or no room, -1 at end-of-file. */
    int fill(SocketChannel from) throws IOException {
        if (!held.hasRemaining()) {
            return 0;
        }
        int n = from.read(held);
        if (n > 0) {
            bytesIn += n;
        }
        return n;
    }

    /** Writes what {@code to} takes now of the bytes held: the count. */
    int drain(SocketChannel to) throws IOException {
        held.flip();
        try {
            int n = to.write(held);
            bytesOut += n;
            return n;
        } finally {
            held.compact();
        }
    }

    /** Reads what {@code from} has and drops it at once: the count, or -1 at end-of-file. */
    int discard(SocketChannel from) throws IOException {
        sink.clear();
        int n = from.read(sink);
        if (n > 0) {
            bytesIn += n;
            bytesDropped += n;
        }
        return n;
    }

    /** Drops every byte held. */
    void dropHeld() {
        bytesDropped += held.position();
        held.clear();
    }
}
