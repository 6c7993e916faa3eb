package io.qtx.protocol;

import java.io.IOException;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import io.qtx.framing.Frame;
import io.qtx.framing.FrameHandler;

import io.qtx.proto.Envelope;

/**
 * The decode step after framing: parses each frame's payload as an {@link Envelope} straight
 * from the ring's memory (no copy of the payload) and passes it on.
 *
 * <p>A payload that does not parse, or parses to something that is not a usable envelope (id 0,
 * no payload: what a foreign message or a spliced one usually looks like), is not passed on.
 * For a QTX1 frame the handler is told "not valid", so the reader resyncs: without a CRC the
 * frame's boundaries are suspect. A QTX2 frame whose CRC held has true boundaries; an envelope
 * in it that this version does not understand (a newer peer's payload kind) is only counted.
 */
public final class EnvelopeDecoder implements FrameHandler {

    /** Receives decoded envelopes. */
    @FunctionalInterface
    public interface EnvelopeHandler {
        /** One envelope, from a frame of {@code frameVersion}. */
        void onEnvelope(Envelope envelope, byte frameVersion);
    }

    private final EnvelopeHandler handler;
    private final WireLimits limits;
    private long invalid;
    private long unusable;
    private long overLimits;
    private String lastOverLimit;

    public EnvelopeDecoder(EnvelopeHandler handler) {
        this(handler, null);
    }

    /**
     * A decoder that checks each payload against {@code limits} before parsing it (null: no
     * check). A payload over a bound is never parsed; it counts in {@link #overLimits()}.
     */
    public EnvelopeDecoder(EnvelopeHandler handler, WireLimits limits) {
        this.handler = handler;
        this.limits = limits;
    }

    @Override
    public boolean onFrame(Frame frame) {
        if (limits != null) {
            String broke = limits.check(frame.payloadBuffer());
            if (broke != null) {
                overLimits++;
                lastOverLimit = broke;
                return frame.verified();
            }
        }
        final Envelope envelope;
        try {
            envelope = parse(frame);
        } catch (InvalidProtocolBufferException e) {
            invalid++;
            return false;
        }
        if (envelope.getId() == 0 || envelope.getPayloadCase() == Envelope.PayloadCase.PAYLOAD_NOT_SET) {
            unusable++;
            return frame.verified();
        }
        handler.onEnvelope(envelope, frame.version());
        return true;
    }

    /**
     * Parses a frame's payload in place.
     *
     * @throws InvalidProtocolBufferException when the payload is not an Envelope's encoding
     */
    public static Envelope parse(Frame frame) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(frame.payloadBuffer());
        try {
            Envelope envelope = Envelope.parseFrom(in);
            in.checkLastTagWas(0);
            return envelope;
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            // A ByteBuffer source has no other I/O: anything else is a malformed payload too.
            throw new InvalidProtocolBufferException(e);
        }
    }

    /** Payloads that were not an envelope's encoding. */
    public long invalid() {
        return invalid;
    }

    /** Payloads refused unparsed because they broke a {@link WireLimits} bound. */
    public long overLimits() {
        return overLimits;
    }

    /** What the last refused payload broke, or null. */
    public String lastOverLimit() {
        return lastOverLimit;
    }

    /** Payloads that parsed but had id 0 or no payload (wrong type, or a newer peer's kind). */
    public long unusable() {
        return unusable;
    }
}
