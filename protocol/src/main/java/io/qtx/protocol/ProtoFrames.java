package io.qtx.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;

import io.qtx.framing.FrameWriter;

/**
 * Queues protobuf messages as frames: the encoder {@link FrameWriter} calls to serialise a
 * message straight into its ring, with no copy and nothing allocated but the output stream.
 */
public final class ProtoFrames {

    private ProtoFrames() {
    }

    /** Queues {@code message} as one frame; see {@link #offer(FrameWriter, MessageLite, int)}. */
    public static boolean offer(FrameWriter writer, MessageLite message) {
        return offer(writer, message, 0);
    }

    /**
     * Queues {@code message} as one frame if it fits and leaves {@code keepFree} bytes free.
     *
     * @return false (and nothing queued) when the queue is too full
     * @throws IllegalArgumentException when the message is larger than the peer's maximum
     */
    public static boolean offer(FrameWriter writer, MessageLite message, int keepFree) {
        return writer.offer(message, message.getSerializedSize(), ProtoFrames::encode, keepFree);
    }

    private static void encode(MessageLite message, ByteBuffer into) {
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(into);
            message.writeTo(out);
            out.flush();
        } catch (IOException e) {
            // Cannot happen: the space was sized by getSerializedSize(); a message changed by
            // another thread while being written is the only way, and a bug.
            throw new UncheckedIOException("message changed while being serialised", e);
        }
    }
}
