package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Builds wire bytes straight from framing/README.md's byte diagrams, independently of
 * {@link FrameWriter}, so the reader is tested against the documented format, not against the
 * writer's idea of it.
 */
public final class Wire {

    private Wire() {
    }

    public static byte[] qtx1(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.put((byte) 0x51).put((byte) 0x54).put((byte) 0x58).put((byte) 0x01);
        b.putInt(payload.length);
        b.put(payload);
        return b.array();
    }

    public static byte[] qtx2(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length);
        b.put((byte) 0x51).put((byte) 0x54).put((byte) 0x58).put((byte) 0x02);
        b.putInt(payload.length);
        CRC32C c = new CRC32C();
        c.update(payload);
        b.putInt((int) c.getValue());
        c.reset();
        c.update(b.array(), 0, 12);
        b.putInt((int) c.getValue());
        b.put(payload);
        return b.array();
    }

    public static byte[] frame(int version, byte[] payload) {
        return version == 2 ? qtx2(payload) : qtx1(payload);
    }

    /** A QTX1 header that claims {@code length} bytes, with no payload after it. */
    public static byte[] qtx1Header(int length) {
        return ByteBuffer.allocate(8).putInt(0x51545801).putInt(length).array();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Payload bytes that contain no 0x51, so they can never look like a magic. */
    public static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < length; i++) {
            byte v = (byte) r.nextInt(256);
            p[i] = v == 0x51 ? 0x50 : v;
        }
        return p;
    }

    /** Feeds bytes into a reader in chunks and collects the payloads it delivers. */
    public static final class Sink implements FrameHandler {
        final List<byte[]> payloads = new ArrayList<>();
        final List<Byte> versions = new ArrayList<>();

        @Override
        public boolean onFrame(Frame frame) {
            payloads.add(frame.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            versions.add(frame.version());
            return true;
        }
    }

    /**
     * Pushes {@code bytes} through the reader's ring in reads of at most {@code chunk} bytes (and
     * of at most what the ring has free, as a transport would), polling after each read.
     */
    public static void feed(FrameReader reader, FrameHandler handler, byte[] bytes, int chunk) {
        int off = 0;
        while (off < bytes.length) {
            ByteRing ring = reader.ring();
            int free = ring.prepareWrite();
            int n = Math.min(Math.min(chunk, free), bytes.length - off);
            if (n == 0) {
                throw new AssertionError("ring full and the reader made no progress: free=" + free
                        + " readable=" + ring.readableBytes());
            }
            java.lang.foreign.MemorySegment.copy(bytes, off, ring.memory(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                    ring.writeOffset(), n);
            ring.commit(n);
            off += n;
            reader.poll(handler);
        }
    }

    /** As at a connection's end: abandon whatever is pending and poll until nothing changes. */
    public static void drain(FrameReader reader, FrameHandler handler) {
        reader.resetAll(handler);
    }

    /** Drains the writer as a transport would, each write taking a random part of the chunk ({@code shortWrites}) or all of it (null). */
    public static byte[] drain(FrameWriter w, Random shortWrites) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (w.chunkLength() > 0) {
            int len = w.chunkLength();
            assertTrue(len <= FrameDescriptor.MAX_WRITE_CHUNK, "chunk " + len);
            int n = shortWrites == null ? len : shortWrites.nextInt(len + 1);
            MemorySegment chunk = w.memory().asSlice(w.chunkOffset(), n);
            out.writeBytes(chunk.toArray(ValueLayout.JAVA_BYTE));
            w.consumed(n);
        }
        return out.toByteArray();
    }
}
