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
        HelloReply toFirst = agent.answer(first);
        Hello second = host.newHello(2000);
        assertNotEquals(first.getNonce(), second.getNonce());
        assertEquals(Handshake.ReplyOutcome.STALE, host.accept(toFirst), "a reply to an older hello");
        assertEquals(Handshake.ReplyOutcome.MATCHED, host.accept(agent.answer(second)));
        assertFalse(host.isComplete(), "the agent's own hello is still missing");
        host.answer(agent.newHello(2100));
        assertTrue(host.isComplete());
        assertEquals(FrameDescriptor.VERSION_2, host.writeFrameVersion());
    }

    @Test
    void aRepeatedHelloKeepsItsNonceButNotItsTime() {
        Hello first = host.newHello(1000);
        Hello repeat = host.repeatHello(first, 16_000);
        assertEquals(first.getNonce(), repeat.getNonce());
        assertEquals(16_000, repeat.getSentUnixMs());
        host.newHello(17_000);
        assertEquals(null, host.repeatHello(first, 18_000), "not the current hello any more");
    }

    @Test
    void aPeerThatOnlySpeaksQtx1GetsQtx1() {
        Hello hello = host.newHello(1).toBuilder().clearFrameVersions()
                .addFrameVersions(FrameVersion.FRAME_VERSION_QTX1).build();
        assertEquals(FrameVersion.FRAME_VERSION_QTX1, agent.answer(hello).getFrameVersion());
    }

    @Test
    void aPeerOfTheSameRoleOrAnotherProtocolIsRefusedWithAReason() {
        Hello fromAnotherHost = new Handshake(SessionPair.identity(Role.ROLE_HOST), new SecureRandom()).newHello(1);
        HelloReply refusal = host.answer(fromAnotherHost);
        assertTrue(refusal.hasError());
        assertTrue(refusal.getError().getMessage().contains("ROLE_HOST"), refusal.getError().getMessage());
        Hello future = agent.newHello(1).toBuilder().clearProtocolVersions().addProtocolVersions(9).build();
        assertTrue(host.answer(future).getError().getMessage().contains("no shared protocol version"));
        Hello mine = host.newHello(1);
        HelloReply refused = HelloReply.newBuilder().setEchoNonce(mine.getNonce())
                .setError(refusal.getError()).build();
        assertEquals(Handshake.ReplyOutcome.REFUSED, host.accept(refused));
        assertFalse(host.isComplete());
    }

    @Test
    void resetForgetsTheSession() {
        Hello mine = host.newHello(1);
        host.answer(agent.newHello(1));
        host.accept(agent.answer(mine));
        assertTrue(host.isComplete());
        host.reset();
        assertFalse(host.isComplete());
        assertEquals(Handshake.ReplyOutcome.STALE, host.accept(agent.answer(mine)));
        assertEquals(FrameDescriptor.VERSION_1, host.writeFrameVersion());
    }
}
