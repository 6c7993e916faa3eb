package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.qtx.proto.Request;
import io.qtx.proto.SystemInfoRequest;
import io.qtx.sim.SimulatedChannel;

/** The figures behind /metrics: histograms, request kinds, and counters that survive a reconnect. */
class MetricFiguresTest {

    @Test
    void aHistogramCountsAnObservationOnABoundInThatBucket() {
        Histogram h = new Histogram(new double[] {0.1, 1});
        h.observe(0.1);
        h.observe(0.5);
        h.observe(1);
        h.observe(7);
        assertArrayEquals(new long[] {1, 3, 4}, h.cumulative(), "le is inclusive; +Inf counts everything");
        assertEquals(8.6, h.sum(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new double[] {1, 1}));
    }

    @Test
    void requestKindsAreQxNodesOwnNames() {
        assertEquals("system_info", RequestLatency.kind("system_info request"));
        assertEquals("heartbeat_ping", RequestLatency.kind("heartbeat ping"));
        assertEquals("ping", RequestLatency.kind("ping"));
    }

    @Test
    void channelCountersKeepGrowingAcrossAReconnect() throws Exception {
        try (Rig rig = new Rig()) {
            SimulatedChannel ch = rig.vm("vm-1");
            rig.agent(ch);
            rig.startNode();
            rig.awaitState("vm-1", VmState.READY);
            VmSnapshot before = rig.awaitVm("vm-1", "some telemetry", s -> s.channel().framesReceived() >= 15);
            rig.node.request("vm-1", Request.newBuilder().setSystemInfo(SystemInfoRequest.getDefaultInstance()),
                    Duration.ofSeconds(20)).get();
            ch.dropHost();
            VmSnapshot after = rig.awaitVm("vm-1", "ready again", s -> s.state() == VmState.READY && s.connects() == 2);
            assertTrue(after.channel().framesReceived() >= before.channel().framesReceived() + 1,
                    before.channel() + " -> " + after.channel());
            assertTrue(after.channel().handshakes() >= 2, after.channel().toString());
            assertTrue(after.channel().bytesSent() > before.channel().bytesSent(), after.channel().toString());
            assertTrue(after.session().framesReceived() < after.channel().framesReceived(),
                    "the session's own count restarted: " + after.session());
            assertTrue(after.latency().requests().keySet().stream().anyMatch(k -> k.kind().equals("system_info")
                    && k.outcome() == RequestLatency.Outcome.ANSWERED), after.latency().requests().toString());
        }
    }
}
