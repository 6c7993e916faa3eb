package io.qtx.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.qtx.proto.Envelope;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FrameVersion;
import io.qtx.proto.Hello;
import io.qtx.proto.HelloReply;
import io.qtx.proto.Ping;
import io.qtx.proto.Request;
import io.qtx.proto.Role;
import io.qtx.proto.SystemInfoRequest;

class HandshakeTest {

    private static final Hello HOST = Hello.newBuilder().setRole(Role.ROLE_HOST).setSoftwareVersion("0.1.0").build();
    private static final Hello AGENT = Hello.newBuilder().setRole(Role.ROLE_AGENT).setSoftwareVersion("0.1.0").build();
    private final SplittableRandom random = new SplittableRandom(5);

    @Test
    void bothSidesEstablishAndAgreeOnQtx2() {
        Handshake host = new Handshake(HOST, random, 1_000);
        Handshake agent = new Handshake(AGENT, random, 1_000);
        assertEquals(Handshake.NONCE_LENGTH, host.hello().getNonce().size());
        assertNotEquals(host.hello().getNonce(), agent.hello().getNonce());
        assertEquals(FrameDescriptor.VERSION_1, host.writeFrameVersion(), "QTX1 until the reply");

        HelloReply toHost = agent.answer(host.hello(), 1_000);
        HelloReply toAgent = host.answer(agent.hello(), 1_000);
        assertEquals(1, toHost.getProtocolVersion());
        assertEquals(FrameVersion.FRAME_VERSION_QTX2, toHost.getFrameVersion());
        assertTrue(host.accept(toHost));
        assertTrue(agent.accept(toAgent));
        assertTrue(host.established() && agent.established());
        assertEquals(FrameDescriptor.VERSION_2, host.writeFrameVersion());
        assertFalse(host.accept(toHost), "a second copy changes nothing");
    }

    @Test
    void aPeerThatOnlyKnowsQtx1GetsQtx1() {
        Handshake host = new Handshake(HOST, random, 0);
        Handshake oldAgent = new Handshake(AGENT.toBuilder().addFrameVersions(FrameVersion.FRAME_VERSION_QTX1).build(), random, 0);
        assertTrue(host.accept(oldAgent.answer(host.hello(), 0)));
        assertEquals(FrameDescriptor.VERSION_1, host.writeFrameVersion());
    }

    @Test
    void aReplyToAnOlderHelloIsStaleAndEverythingBeforeTheRightOneIsDiscarded() {
        Handshake before = new Handshake(HOST, random, 0);
        Handshake now = new Handshake(HOST, random, 0);
        Handshake agent = new Handshake(AGENT, random, 0);
        Envelope telemetry = Envelope.newBuilder().setId(5).setPing(Ping.getDefaultInstance()).build();
        assertFalse(now.admits(telemetry));
        assertFalse(now.accept(agent.answer(before.hello(), 0)), "answers the previous connection's nonce");
        assertFalse(now.established());
        assertFalse(now.admits(telemetry));
        assertTrue(now.admits(Envelope.newBuilder().setId(6).setHello(AGENT).build()));
        assertTrue(now.accept(agent.answer(now.hello(), 0)));
        assertTrue(now.admits(telemetry));
    }

    @Test
    void noSharedVersionOrTheSameRoleIsRefused() {
        Handshake host = new Handshake(HOST, random, 0);
        Handshake future = new Handshake(AGENT.toBuilder().addProtocolVersions(7).build(), random, 0);
        HelloReply r = future.answer(host.hello(), 0);
        assertEquals(0, r.getProtocolVersion());
        assertFalse(host.accept(r));
        assertNotNull(host.refusal());
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, host.refusal().getCode());

        Handshake otherHost = new Handshake(HOST, random, 0);
        assertTrue(otherHost.answer(host.hello(), 0).hasError());
    }

    @Test
    void deadlinesAreConvertedWithThePeersClockOffset() {
        // The guest's clock is 60 s behind the host's.
        Handshake host = new Handshake(HOST, random, 100_000);
        Handshake agent = new Handshake(AGENT, random, 40_000);
        agent.answer(host.hello(), 40_000);
        assertEquals(-60_000, agent.peerClockOffsetMs());
        Request r = Request.newBuilder().setDeadlineUnixMs(105_000).setSystemInfo(SystemInfoRequest.getDefaultInstance()).build();
        assertFalse(agent.expired(r, 44_999), "4.999 s later on the guest's clock");
        assertTrue(agent.expired(r, 45_000));
        assertFalse(agent.expired(r.toBuilder().setDeadlineUnixMs(0).build(), Long.MAX_VALUE / 2), "missing is a bad argument, not expired");
    }
}
