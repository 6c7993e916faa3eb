package io.qtx.session;

import java.time.Duration;

/**
 * How a {@link FramedChannel} treats its descriptor and how much memory it may use.
 *
 * @param kind what the descriptor is; decides what a zero read and a hang-up mean
 * @param maxInboundPayload largest frame payload accepted; the reader's ring holds one such frame
 * @param maxOutboundPayload largest payload the peer accepts (its Hello says so)
 * @param outboundCapacity bytes of queued frames before {@link FramedChannel#send} refuses
 * @param writeTimeout how long queued bytes may wait for the peer to take them
 * @param stallTimeout how long an incomplete inbound frame may wait for its rest
 * @param inbound what the peer may cost beyond the frame size (a hostile peer's bounds)
 */
public record ChannelOptions(Kind kind, int maxInboundPayload, int maxOutboundPayload, int outboundCapacity,
                             Duration writeTimeout, Duration stallTimeout, InboundBudget inbound) {

    /** Options with no inbound budget beyond the frame size. */
    public ChannelOptions(Kind kind, int maxInboundPayload, int maxOutboundPayload, int outboundCapacity,
                          Duration writeTimeout, Duration stallTimeout) {
        this(kind, maxInboundPayload, maxOutboundPayload, outboundCapacity, writeTimeout, stallTimeout,
                InboundBudget.UNLIMITED);
    }

    /** What the descriptor is. */
    public enum Kind {
        /**
         * A virtio-serial port in the guest: a zero read and a hang-up mean "no host
         * connected", not end of file. The channel stays open and wakes when a host arrives.
         */
        VIRTIO_PORT,
        /** A stream socket: end of file or hang-up means the peer is gone for good. */
        STREAM_SOCKET
    }

    /** One write(2) to a virtio port takes at most 32 KiB, so chunks never exceed it. */
    public static final int MAX_WRITE_CHUNK = 32 * 1024;

    public ChannelOptions {
        java.util.Objects.requireNonNull(inbound, "inbound");
        if (maxInboundPayload <= 0 || maxOutboundPayload <= 0) {
            throw new IllegalArgumentException("maxInboundPayload=" + maxInboundPayload
                    + " maxOutboundPayload=" + maxOutboundPayload);
        }
        if (outboundCapacity < io.qtx.framing.FrameReader.ringCapacity(maxOutboundPayload)) {
            throw new IllegalArgumentException("outboundCapacity=" + outboundCapacity
                    + " cannot hold one frame of maxOutboundPayload=" + maxOutboundPayload);
        }
        if (writeTimeout.isNegative() || writeTimeout.isZero() || stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("writeTimeout=" + writeTimeout + " stallTimeout=" + stallTimeout);
        }
    }

    /** Defaults for the given kind: 1 MiB frames, 4 MiB queued, 5 s write and stall bounds. */
    public static ChannelOptions defaults(Kind kind) {
        return new ChannelOptions(kind, 1 << 20, 1 << 20, 4 << 20, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    /** The same bounds for another kind of descriptor. */
    public ChannelOptions withKind(Kind newKind) {
        return new ChannelOptions(newKind, maxInboundPayload, maxOutboundPayload, outboundCapacity, writeTimeout,
                stallTimeout, inbound);
    }

    public ChannelOptions withWriteTimeout(Duration timeout) {
        return new ChannelOptions(kind, maxInboundPayload, maxOutboundPayload, outboundCapacity, timeout, stallTimeout,
                inbound);
    }

    public ChannelOptions withMaxInboundPayload(int max) {
        return new ChannelOptions(kind, max, maxOutboundPayload, outboundCapacity, writeTimeout, stallTimeout, inbound);
    }

    public ChannelOptions withOutboundCapacity(int capacity) {
        return new ChannelOptions(kind, maxInboundPayload, maxOutboundPayload, capacity, writeTimeout, stallTimeout,
                inbound);
    }

    public ChannelOptions withInbound(InboundBudget budget) {
        return new ChannelOptions(kind, maxInboundPayload, maxOutboundPayload, outboundCapacity, writeTimeout,
                stallTimeout, budget);
    }
}
