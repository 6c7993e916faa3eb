package io.qtx.framing;

import java.util.random.RandomGenerator;

import com.google.protobuf.ByteString;

import io.qtx.proto.Envelope;
import io.qtx.proto.Error;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FrameVersion;
import io.qtx.proto.Hello;
import io.qtx.proto.HelloReply;
import io.qtx.proto.Request;

/**
 * One connection's handshake, the same on both sides; a new one is made on every (re)connection
 * and after a request timeout. It owns the rules agent.proto states in words: a fresh nonce per
 * Hello, the choice of protocol and frame versions, the gate that discards everything until the
 * reply to the current nonce, and the clock offset that converts a peer's deadlines.
 *
 * <p>Single-threaded: the event loop that owns the connection owns its handshake.
 */
public final class Handshake {

    /** The protocol version agent.proto describes. */
    public static final int PROTOCOL_VERSION = 1;
    /** Bytes in a nonce. */
    public static final int NONCE_LENGTH = 16;

    private final Hello hello;
    private boolean established;
    private Error refusal;
    private FrameVersion writeVersion = FrameVersion.FRAME_VERSION_QTX1;
    private boolean peerClockKnown;
    private long peerClockOffsetMs;

    /**
     * A handshake whose Hello is {@code template} plus a fresh nonce, the current time and, where
     * the template leaves them empty, protocol version 1 and frame versions QTX1 and QTX2.
     */
    public Handshake(Hello template, RandomGenerator random, long nowUnixMs) {
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        Hello.Builder b = template.toBuilder().setNonce(ByteString.copyFrom(nonce)).setSentUnixMs(nowUnixMs);
        if (b.getProtocolVersionsCount() == 0) {
            b.addProtocolVersions(PROTOCOL_VERSION);
        }
        if (b.getFrameVersionsCount() == 0) {
            b.addFrameVersions(FrameVersion.FRAME_VERSION_QTX1).addFrameVersions(FrameVersion.FRAME_VERSION_QTX2);
        }
        this.hello = b.build();
    }

    /** The Hello to send first on the connection. */
    public Hello hello() {
        return hello;
    }

    /**
     * The reply to the peer's Hello: the highest protocol and frame versions both list, or an
     * error when there is no shared protocol version or both sides claim the same role. Also
     * takes the peer's clock offset from its {@code sent_unix_ms}.
     */
    public HelloReply answer(Hello peer, long nowUnixMs) {
        peerClockOffsetMs = nowUnixMs - peer.getSentUnixMs();
        peerClockKnown = true;
        HelloReply.Builder r = HelloReply.newBuilder().setEchoNonce(peer.getNonce());
        int protocol = 0;
        for (int v : peer.getProtocolVersionsList()) {
            if (v > protocol && hello.getProtocolVersionsList().contains(v)) {
                protocol = v;
            }
        }
        if (peer.getRole() == hello.getRole()) {
            return r.setError(error(ErrorCode.ERROR_CODE_BAD_ARGUMENT, "both ends say they are " + peer.getRole())).build();
        }
        if (protocol == 0) {
            return r.setError(error(ErrorCode.ERROR_CODE_BAD_ARGUMENT, "no shared protocol version: peer speaks "
                    + peer.getProtocolVersionsList() + ", this side " + hello.getProtocolVersionsList())).build();
        }
        FrameVersion frame = FrameVersion.FRAME_VERSION_QTX1;
        for (FrameVersion v : peer.getFrameVersionsList()) {
            if (v.getNumber() > frame.getNumber() && hello.getFrameVersionsList().contains(v)) {
                frame = v;
            }
        }
        return r.setProtocolVersion(protocol).setFrameVersion(frame).build();
    }

    /**
     * Takes a HelloReply. One that does not echo this handshake's nonce is stale (an older
     * session's) and changes nothing.
     *
     * @return true when this reply established the connection
     */
    public boolean accept(HelloReply reply) {
        if (established || refusal != null || !reply.getEchoNonce().equals(hello.getNonce())) {
            return false;
        }
        if (reply.hasError() || reply.getProtocolVersion() == 0) {
            refusal = reply.hasError() ? reply.getError() : error(ErrorCode.ERROR_CODE_BAD_ARGUMENT, "no protocol version");
            return false;
        }
        writeVersion = reply.getFrameVersion() == FrameVersion.FRAME_VERSION_QTX2
                ? FrameVersion.FRAME_VERSION_QTX2 : FrameVersion.FRAME_VERSION_QTX1;
        established = true;
        return true;
    }

    /** True once the peer has answered this handshake's Hello. */
    public boolean established() {
        return established;
    }

    /** Why the peer refused the handshake, or null. */
    public Error refusal() {
        return refusal;
    }

    /**
     * Whether a received envelope may be acted on: Hello and HelloReply always (they drive the
     * handshake), everything else only once established. What is not admitted is discarded.
     */
    public boolean admits(Envelope e) {
        return switch (e.getPayloadCase()) {
            case HELLO, HELLO_REPLY -> true;
            default -> established;
        };
    }

    /** The frame version to write from now on, as a {@link FrameWriter#frameVersion} byte. */
    public byte writeFrameVersion() {
        return writeVersion == FrameVersion.FRAME_VERSION_QTX2 ? FrameDescriptor.VERSION_2 : FrameDescriptor.VERSION_1;
    }

    /** Local clock minus the peer's, in ms, as measured when its Hello arrived (0 until then). */
    public long peerClockOffsetMs() {
        return peerClockKnown ? peerClockOffsetMs : 0;
    }

    /**
     * True when the request's deadline, converted to this side's clock, has passed: the receiver
     * then drops it unanswered. A request without a deadline (0) is not "expired": it is a bad
     * argument, which the receiver answers as such.
     */
    public boolean expired(Request request, long nowUnixMs) {
        long deadline = request.getDeadlineUnixMs();
        return deadline != 0 && nowUnixMs >= deadline + peerClockOffsetMs();
    }

    private static Error error(ErrorCode code, String message) {
        return Error.newBuilder().setCode(code).setMessage(message).build();
    }
}
