package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.qtx.proto.TelemetryReport;

/** The small pieces: VM ids, backoff, the telemetry store, error mapping. */
class UnitsTest {

    @Test
    void vmIdsArePlainNamesOnly() {
        for (String ok : new String[] {"vm-1", "a", "6f1c2d3e-0000-4000-8000-123456789abc", "Win_10.x", "x".repeat(64)}) {
            assertTrue(VmId.isValid(ok), ok);
        }
        for (String bad : new String[] {"", ".", "..", "../x", "a/b", "-x", ".hidden", "a b", "a\nb", "x".repeat(65),
                "é", "a\0b"}) {
            assertFalse(VmId.isValid(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> new VmId(bad));
        }
        assertEquals(new VmId("vm-1"), VmId.fromSocketName("vm-1.agent.sock"));
        assertNull(VmId.fromSocketName("vm-1.port.sock"));
        assertNull(VmId.fromSocketName("..agent.sock"));
        assertNull(VmId.fromSocketName(".agent.sock"));
        assertEquals("vm-1.agent.sock", new VmId("vm-1").socketName());
    }

    @Test
    void aStateIsReadBackFromItsJsonName() {
        for (VmState state : VmState.values()) {
            assertEquals(state, VmState.fromJson(state.json()));
        }
        assertNull(VmState.fromJson("READY"), "only the lower-case name qx-node writes");
        assertNull(VmState.fromJson("sleeping"));
    }

    @Test
    void telemetryStoreKeepsTheLatestAndABoundedHistoryAndKnowsWhenItIsStale() {
        TelemetryStore store = new TelemetryStore(3);
        assertNull(store.latest());
        assertTrue(store.isStale(1000, 100), "no report at all is stale");
        for (int i = 1; i <= 5; i++) {
            store.add(TelemetryReport.newBuilder().setProcessCount(i).build(), i * 1000L);
        }
        assertEquals(5, store.latest().report().getProcessCount());
        List<TelemetryEntry> h = store.history();
        assertEquals(List.of(3, 4, 5), h.stream().map(e -> e.report().getProcessCount()).toList());
        assertEquals(5, store.received());
        assertFalse(store.isStale(5100, 200));
        assertTrue(store.isStale(5300, 200));
    }

    @Test
    void agentErrorsMapToStableCodes() {
        var e = io.qtx.proto.Error.newBuilder();
        assertEquals(NodeException.Code.NOT_FOUND, AgentErrors.toNodeException("v",
                e.setCode(io.qtx.proto.ErrorCode.ERROR_CODE_NOT_FOUND).build()).code());
        assertEquals(NodeException.Code.BAD_INPUT, AgentErrors.toNodeException("v",
                e.setCode(io.qtx.proto.ErrorCode.ERROR_CODE_BAD_ARGUMENT).build()).code());
        assertEquals(NodeException.Code.AGENT_TIMEOUT, AgentErrors.toNodeException("v",
                e.setCode(io.qtx.proto.ErrorCode.ERROR_CODE_TIMEOUT).build()).code());
        NodeException internal = AgentErrors.toNodeException("v", e.setCode(io.qtx.proto.ErrorCode.ERROR_CODE_INTERNAL)
                .setMessage("fork failed").build());
        assertEquals(NodeException.Code.AGENT_ERROR, internal.code());
        assertEquals("v: agent answered INTERNAL: fork failed", internal.getMessage());
        assertEquals(502, NodeException.Code.AGENT_ERROR.httpStatus());
        assertEquals(504, NodeException.Code.AGENT_TIMEOUT.httpStatus());
        assertEquals(409, NodeException.Code.AGENT_NOT_READY.httpStatus());
        assertEquals(404, NodeException.Code.UNKNOWN_VM.httpStatus());
        assertEquals(400, NodeException.Code.BAD_INPUT.httpStatus());
        assertEquals(NodeException.Code.BAD_INPUT, NodeException.of(new java.util.concurrent.CompletionException(
                new IllegalArgumentException("x"))).code());
    }
}
