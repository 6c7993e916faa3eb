package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

import io.qtx.framing.FrameDescriptor;
import io.qtx.proto.FrameVersion;
import io.qtx.proto.Hello;
import io.qtx.proto.HelloReply;
import io.qtx.proto.Role;

class HandshakeTest {

    private final Handshake host = new Handshake(SessionPair.identity(Role.ROLE_HOST), new SecureRandom());
    private final Handshake agent = new Handshake(SessionPair.identity(Role.ROLE_AGENT), new SecureRandom());

    @Test
    void completesOnlyWithAReplyToTheCurrentNonceAndThePeersHello() {
        Hello first = host.newHello(1000);
        HelloReply toFirst = agent.answer(first, 1000);
        Hello second = host.newHello(2000);
        assertNotEquals(first.getNonce(), second.getNonce());
        assertEquals(Handshake.ReplyOutcome.STALE, host.accept(toFirst), "a reply to an older hello");
        assertEquals(Handshake.ReplyOutcome.MATCHED, host.accept(agent.answer(second, 2000)));
        assertFalse(host.isComplete(), "the agent's own hello is still missing");
        host.answer(agent.newHello(2100), 2000);
        assertTrue(host.isComplete());
        assertEquals(FrameDescriptor.VERSION_2, host.writeFrameVersion());
        assertEquals(100, host.peerClockOffsetMs());
    }

    @Test
    void aPeerThatOnlySpeaksQtx1GetsQtx1() {
        Hello hello = host.newHello(1).toBuilder().clearFrameVersions()
                .addFrameVersions(FrameVersion.FRAME_VERSION_QTX1).build();
        assertEquals(FrameVersion.FRAME_VERSION_QTX1, agent.answer(hello, 1).getFrameVersion());
    }

    @Test
    void aPeerOfTheSameRoleOrAnotherProtocolIsRefusedWithAReason() {
        Hello fromAnotherHost = new Handshake(SessionPair.identity(Role.ROLE_HOST), new SecureRandom()).newHello(1);
        HelloReply refusal = host.answer(fromAnotherHost, 1);
        assertTrue(refusal.hasError());
        assertTrue(refusal.getError().getMessage().contains("ROLE_HOST"), refusal.getError().getMessage());
        Hello future = agent.newHello(1).toBuilder().clearProtocolVersions().addProtocolVersions(9).build();
        assertTrue(host.answer(future, 1).getError().getMessage().contains("no shared protocol version"));
        Hello mine = host.newHello(1);
        HelloReply refused = HelloReply.newBuilder().setEchoNonce(mine.getNonce())
                .setError(refusal.getError()).build();
        assertEquals(Handshake.ReplyOutcome.REFUSED, host.accept(refused));
        assertFalse(host.isComplete());
    }

    @Test
    void resetForgetsTheSession() {
        Hello mine = host.newHello(1);
        host.answer(agent.newHello(1), 1);
        host.accept(agent.answer(mine, 1));
        assertTrue(host.isComplete());
        host.reset();
        assertFalse(host.isComplete());
        assertEquals(Handshake.ReplyOutcome.STALE, host.accept(agent.answer(mine, 1)));
        assertEquals(FrameDescriptor.VERSION_1, host.writeFrameVersion());
    }
}
