package io.qtx.session;

import java.security.SecureRandom;
import java.util.List;

import com.google.protobuf.ByteString;

import io.qtx.framing.FrameDescriptor;
import io.qtx.proto.Capabilities;
import io.qtx.proto.Error;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FrameVersion;
import io.qtx.proto.Hello;
import io.qtx.proto.HelloReply;
import io.qtx.proto.Role;

/**
 * One side of the protocol's symmetric handshake. Each side sends a {@link Hello} with a fresh
 * nonce and answers the peer's Hello with a {@link HelloReply} echoing it; a side is through
 * when it holds a reply that echoes its <em>current</em> nonce and has seen the peer's Hello
 * since it last reset. Anything else is stale: a reply to an older Hello, or a message queued
 * for an earlier session.
 */
public final class Handshake {

    /** Protocol versions this build speaks. */
    public static final int PROTOCOL_VERSION = 1;
    private static final int NONCE_BYTES = 16;
    private static final List<FrameVersion> FRAME_VERSIONS = List.of(FrameVersion.FRAME_VERSION_QTX1,
            FrameVersion.FRAME_VERSION_QTX2);

    /**
     * Who this side is.
     *
     * @param capabilities what an agent serves and allows; null for a host
     */
    public record Identity(Role role, String softwareVersion, ByteString instanceId, String bootId,
                           int maxPayloadBytes, Capabilities capabilities, String hostname) {
    }

    /** What a HelloReply meant. */
    public enum ReplyOutcome {
        /** It echoes our current nonce. */
        MATCHED,
        /** It echoes an older nonce (or none): discarded. */
        STALE,
        /** It echoes our nonce but refuses the handshake (no shared version, wrong role). */
        REFUSED
    }

    private final Identity self;
    private final SecureRandom random;
    private ByteString nonce = ByteString.EMPTY;
    private boolean answered;
    private Hello peerHello;
    private FrameVersion writeVersion = FrameVersion.FRAME_VERSION_QTX1;
    private Error refusal;

    public Handshake(Identity self, SecureRandom random) {
        this.self = self;
        this.random = random;
    }

    public Identity identity() {
        return self;
    }

    /** A Hello with a fresh nonce; from now on only a reply echoing it completes the handshake. */
    public Hello newHello(long nowUnixMs) {
        byte[] bytes = new byte[NONCE_BYTES];
        random.nextBytes(bytes);
        nonce = ByteString.copyFrom(bytes);
        answered = false;
        refusal = null;
        Hello.Builder hello = Hello.newBuilder()
                .setNonce(nonce)
                .setRole(self.role())
                .addProtocolVersions(PROTOCOL_VERSION)
                .addAllFrameVersions(FRAME_VERSIONS)
                .setSoftwareVersion(self.softwareVersion())
                .setInstanceId(self.instanceId())
                .setBootId(self.bootId())
                .setMaxPayloadBytes(self.maxPayloadBytes())
                .setSentUnixMs(nowUnixMs)
                .setHostname(self.hostname());
        if (self.capabilities() != null) {
            hello.setCapabilities(self.capabilities());
        }
        return hello.build();
    }

    /**
     * Our current Hello again, same nonce, with a fresh wall-clock time: for a peer that started
     * over and may have lost it. Null before the first Hello or after a reset.
     */
    public Hello repeatHello(Hello current, long nowUnixMs) {
        if (current == null || nonce.isEmpty() || !nonce.equals(current.getNonce())) {
            return null;
        }
        return current.toBuilder().setSentUnixMs(nowUnixMs).build();
    }

    /** Records the peer's Hello and builds the answer to it (without clock times: the session adds them). */
    public HelloReply answer(Hello peer) {
        HelloReply.Builder reply = HelloReply.newBuilder().setEchoNonce(peer.getNonce());
        if (peer.getRole() == self.role() || peer.getRole() == Role.ROLE_UNSPECIFIED) {
            return reply.setError(error("peer role " + peer.getRole() + " cannot talk to a " + self.role())).build();
        }
        if (!peer.getProtocolVersionsList().contains(PROTOCOL_VERSION)) {
            return reply.setError(error("no shared protocol version: peer speaks " + peer.getProtocolVersionsList()
                    + ", this side " + PROTOCOL_VERSION)).build();
        }
        peerHello = peer;
        return reply.setProtocolVersion(PROTOCOL_VERSION).setFrameVersion(highestShared(peer)).build();
    }

    private static FrameVersion highestShared(Hello peer) {
        FrameVersion best = FrameVersion.FRAME_VERSION_QTX1;
        for (FrameVersion v : FRAME_VERSIONS) {
            if (peer.getFrameVersionsList().contains(v) && v.getNumber() > best.getNumber()) {
                best = v;
            }
        }
        return best;
    }

    /** Takes a HelloReply: completes the handshake when it echoes our current nonce. */
    public ReplyOutcome accept(HelloReply reply) {
        if (nonce.isEmpty() || !nonce.equals(reply.getEchoNonce())) {
            return ReplyOutcome.STALE;
        }
        if (reply.hasError()) {
            refusal = reply.getError();
            return ReplyOutcome.REFUSED;
        }
        answered = true;
        writeVersion = reply.getFrameVersion() == FrameVersion.FRAME_VERSION_UNSPECIFIED
                ? FrameVersion.FRAME_VERSION_QTX1 : reply.getFrameVersion();
        return ReplyOutcome.MATCHED;
    }

    /** Through: our current Hello is answered and the peer's Hello is known. */
    public boolean isComplete() {
        return answered && peerHello != null;
    }

    /** Forgets the session: on every connection transition. */
    public void reset() {
        nonce = ByteString.EMPTY;
        answered = false;
        peerHello = null;
        refusal = null;
        writeVersion = FrameVersion.FRAME_VERSION_QTX1;
    }

    /** The peer's Hello of this session, or null. */
    public Hello peerHello() {
        return peerHello;
    }

    /** Why the peer refused our Hello, or null. */
    public Error refusal() {
        return refusal;
    }

    /** The frame version (header's last magic byte) to write: QTX1 until the peer agreed on more. */
    public byte writeFrameVersion() {
        return writeVersion == FrameVersion.FRAME_VERSION_QTX2 ? FrameDescriptor.VERSION_2 : FrameDescriptor.VERSION_1;
    }

    private static Error error(String message) {
        return Error.newBuilder().setCode(ErrorCode.ERROR_CODE_BAD_ARGUMENT).setMessage(message).build();
    }
}
