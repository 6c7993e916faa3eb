package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.qtx.framing.ResyncReason;

class SessionCountersTest {

    private static SessionCounters counters(long n, int pending, String lastOverLimit, boolean throttled) {
        long[] resyncs = new long[ResyncReason.values().length];
        resyncs[ResyncReason.INTEGRITY.ordinal()] = n;
        resyncs[ResyncReason.ABANDONED.ordinal()] = 2 * n;
        return new SessionCounters(n, n, n, n, n, n, resyncs, n, n, n, pending, n, n, lastOverLimit, n, throttled, n, n);
    }

    @Test
    void plusSumsTheCountsAndKeepsTheNewerSessionsLevels() {
        SessionCounters earlier = counters(3, 100, "old", true);
        SessionCounters now = counters(5, 7, null, false);
        SessionCounters total = now.plus(earlier);
        assertEquals(8, total.framesReceived());
        assertEquals(8, total.bytesSent());
        assertEquals(8, total.handshakes());
        assertEquals(8, total.pingsRefused());
        assertEquals(8, total.resyncs(ResyncReason.INTEGRITY));
        assertEquals(16, total.resyncs(ResyncReason.ABANDONED));
        assertEquals(24, total.resyncs());
        assertEquals(7, total.pendingOutboundBytes(), "a level is the live session's, not a sum");
        assertFalse(total.throttled());
        assertNull(total.lastOverLimit());
    }

    @Test
    void zeroIsTheIdentityAndTheSnapshotCannotBeChangedThroughItsArray() {
        SessionCounters c = counters(4, 9, "x", true);
        assertEquals(c.framesSent(), c.plus(SessionCounters.ZERO).framesSent());
        assertEquals(c.resyncs(), c.plus(SessionCounters.ZERO).resyncs());
        long[] copy = c.resyncsByReason();
        copy[ResyncReason.INTEGRITY.ordinal()] = 1_000;
        assertEquals(4, c.resyncs(ResyncReason.INTEGRITY));
        assertTrue(c.plus(SessionCounters.ZERO).throttled());
        assertThrows(IllegalArgumentException.class, () -> new SessionCounters(0, 0, 0, 0, 0, 0, new long[1], 0, 0, 0,
                0, 0, 0, null, 0, false, 0, 0));
    }
}
