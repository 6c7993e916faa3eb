package io.qtx.session;

import java.io.IOException;

import io.qtx.proto.Envelope;

/** What happens on a {@link FramedChannel}; called on the loop thread. */
public interface ChannelListener {

    /** One envelope, decoded from a frame of {@code frameVersion}. */
    void onEnvelope(Envelope envelope, byte frameVersion);

    /** A virtio port's host connected (the port turned writable after a hang-up). */
    default void onPeerArrived() {
    }

    /** A virtio port's host left (hang-up or a zero read). The channel stays open. */
    default void onPeerGone() {
    }

    /** Queued bytes waited longer than the write timeout; the caller decides what to drop. */
    default void onWriteTimeout() {
    }

    /** The channel closed: {@code cause} is null when closed on purpose. Called once. */
    void onClosed(IOException cause);
}
