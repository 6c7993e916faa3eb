package io.qtx.bench;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import io.qtx.framing.FrameDescriptor;

/**
 * The framing loop most NIO code has, for comparison: frames found with getInt in a flipped
 * direct ByteBuffer, each handed to the same "touch length and first byte" work as the other
 * contenders; the caller compact()s.
 */
final class NioFrames {

    private final int maxPayload;
    private final CRC32C crc = new CRC32C();
    long sink;

    NioFrames(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /** Handles every complete frame from {@code b}'s position; returns how many. */
    int drain(ByteBuffer b) {
        int frames = 0;
        while (b.remaining() >= FrameDescriptor.HEADER_LENGTH_V1) {
            int at = b.position();
            int magic = b.getInt(at);
            if (magic != FrameDescriptor.MAGIC_QTX1 && magic != FrameDescriptor.MAGIC_QTX2) {
                b.position(at + 1);
                continue;
            }
            int header = magic == FrameDescriptor.MAGIC_QTX2 ? FrameDescriptor.HEADER_LENGTH_V2 : FrameDescriptor.HEADER_LENGTH_V1;
            int len = b.getInt(at + 4);
            if (len < 0 || len > maxPayload) {
                b.position(at + 1);
                continue;
            }
            if (b.remaining() < header + len) {
                break;
            }
            if (header == FrameDescriptor.HEADER_LENGTH_V2 && !crcsHold(b, at, len)) {
                b.position(at + 1);
                continue;
            }
            sink += len + b.get(at + header);
            b.position(at + header + len);
            frames++;
        }
        return frames;
    }

    private boolean crcsHold(ByteBuffer b, int at, int len) {
        int limit = b.limit();
        b.limit(at + 12).position(at);
        crc.reset();
        crc.update(b);
        int headerCrc = (int) crc.getValue();
        b.limit(at + FrameDescriptor.HEADER_LENGTH_V2 + len).position(at + FrameDescriptor.HEADER_LENGTH_V2);
        crc.reset();
        crc.update(b);
        int payloadCrc = (int) crc.getValue();
        b.limit(limit).position(at);
        return headerCrc == b.getInt(at + 12) && payloadCrc == b.getInt(at + 8);
    }
}
