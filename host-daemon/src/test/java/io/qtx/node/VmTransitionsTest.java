package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

/** The VM state machine's table itself: every cell defined, the illegal ones explicit. */
class VmTransitionsTest {

    private static VmState to(VmState from, VmEvent event) {
        VmTransitions.Outcome o = VmTransitions.next(from, event);
        assertTrue(o.legal(), from + " x " + event + " should be legal");
        return o.target();
    }

    private static void illegal(VmState from, VmEvent event) {
        assertFalse(VmTransitions.next(from, event).legal(), from + " x " + event + " should be illegal");
    }

    @Test
    void everyStateAndEventHasADefinedOutcome() {
        for (VmState s : VmState.values()) {
            for (VmEvent e : VmEvent.values()) {
                VmTransitions.Outcome o = VmTransitions.next(s, e);
                assertNotNull(o, s + " x " + e);
                assertTrue(o.legal() || o.target() == null, "an illegal cell leads nowhere: " + s + " x " + e);
            }
        }
    }

    @Test
    void theLifeOfAVmFollowsTheTable() {
        assertEquals(VmState.CONNECTING, to(VmState.DISCOVERED, VmEvent.CONNECT));
        assertEquals(VmState.HANDSHAKING, to(VmState.CONNECTING, VmEvent.CONNECTED));
        assertEquals(VmState.NOT_SERVED, to(VmState.HANDSHAKING, VmEvent.NOT_SERVED));
        assertEquals(VmState.HANDSHAKING, to(VmState.NOT_SERVED, VmEvent.SERVED_BUT_UNANSWERED));
        assertEquals(VmState.HANDSHAKING, to(VmState.HANDSHAKING, VmEvent.HANDSHAKE_DONE));
        assertEquals(VmState.READY, to(VmState.HANDSHAKING, VmEvent.PONG));
        assertEquals(VmState.HANDSHAKING, to(VmState.READY, VmEvent.NOT_READY));
        assertEquals(VmState.UNRESPONSIVE, to(VmState.READY, VmEvent.UNRESPONSIVE));
        assertEquals(VmState.READY, to(VmState.UNRESPONSIVE, VmEvent.PONG));
        assertEquals(VmState.DISCONNECTED, to(VmState.READY, VmEvent.CLOSED));
        assertEquals(VmState.RECONNECTING, to(VmState.DISCONNECTED, VmEvent.RETRY_SCHEDULED));
        assertEquals(VmState.CONNECTING, to(VmState.RECONNECTING, VmEvent.CONNECT));
        assertEquals(VmState.DISCONNECTED, to(VmState.CONNECTING, VmEvent.CONNECT_FAILED));
        assertEquals(VmState.CONNECTING, to(VmState.MISBEHAVING, VmEvent.CONNECT));
    }

    @Test
    void readyNeedsAPongAndAnUnresponsiveVmStaysSoUntilOne() {
        assertNull(to(VmState.UNRESPONSIVE, VmEvent.HANDSHAKE_DONE), "kept: a handshake alone is not a pong");
        assertNull(to(VmState.READY, VmEvent.PONG), "kept");
        assertNull(to(VmState.UNRESPONSIVE, VmEvent.NOT_READY), "kept: its own re-sync");
        assertEquals(VmState.HANDSHAKING, to(VmState.READY, VmEvent.HANDSHAKE_DONE), "the agent started over");
    }

    @Test
    void quarantineAndRemovalReachEveryStateButRemovedIsFinal() {
        for (VmState s : VmState.values()) {
            assertEquals(VmState.REMOVED, to(s, VmEvent.REMOVED));
            if (s == VmState.REMOVED) {
                illegal(s, VmEvent.QUARANTINED);
            } else {
                assertEquals(VmState.MISBEHAVING, to(s, VmEvent.QUARANTINED));
            }
        }
        for (VmEvent e : EnumSet.complementOf(EnumSet.of(VmEvent.REMOVED))) {
            illegal(VmState.REMOVED, e);
        }
    }

    @Test
    void whatNeedsAConnectionIsIllegalWithoutOne() {
        for (VmState s : EnumSet.of(VmState.DISCOVERED, VmState.CONNECTING, VmState.DISCONNECTED,
                VmState.RECONNECTING, VmState.MISBEHAVING)) {
            for (VmEvent e : EnumSet.of(VmEvent.HANDSHAKE_DONE, VmEvent.PONG, VmEvent.NOT_READY, VmEvent.NOT_SERVED,
                    VmEvent.SERVED_BUT_UNANSWERED, VmEvent.UNRESPONSIVE, VmEvent.CLOSED)) {
                illegal(s, e);
            }
        }
        for (VmState s : EnumSet.of(VmState.CONNECTING, VmState.HANDSHAKING, VmState.NOT_SERVED, VmState.READY,
                VmState.UNRESPONSIVE)) {
            illegal(s, VmEvent.CONNECT);
        }
        illegal(VmState.READY, VmEvent.RETRY_SCHEDULED);
    }
}
