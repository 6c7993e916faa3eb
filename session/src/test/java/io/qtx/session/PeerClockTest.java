package io.qtx.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.qtx.proto.ClockTimes;

/** The round-trip clock rule, with made-up clocks: the peer's clock runs 1 h ahead of ours. */
class PeerClockTest {

    private static final long MS = 1_000_000L;
    private static final long AHEAD_MS = 3_600_000;

    private static ClockTimes peer(long receivedMs, long sentMs) {
        return ClockTimes.newBuilder().setReceivedMs(receivedMs).setSentMs(sentMs).build();
    }

    @Test
    void aDeadlineIsConvertedWithTheLowerEndOfTheRoundTripSoItIsNeverLaterThanOurs() {
        PeerClock clock = new PeerClock();
        // Probe sent at our 1000 ms, read by the peer at its 1000+AHEAD+40, answered at +45, back at our 1100.
        clock.probeSent(7, 1000 * MS);
        assertTrue(clock.answered(7, peer(1040 + AHEAD_MS, 1045 + AHEAD_MS), 1100 * MS));
        assertEquals(95 * MS, clock.lastRttNanos());
        // The true offset is AHEAD_MS; the lower end 1045+AHEAD-1100 = AHEAD-55 errs early, by less than the RTT.
        long deadline = clock.toPeerMs(5000 * MS, 1100 * MS);
        assertEquals(5000 + AHEAD_MS - 55, deadline);
        assertTrue(deadline <= 5000 + AHEAD_MS && 5000 + AHEAD_MS - deadline <= 95);
    }

    @Test
    void aLongWaitInTheMiddleOfTheRoundTripNeverMakesADeadlineLate() {
        PeerClock clock = new PeerClock();
        // The peer was stopped 10 s before reading the probe: the round trip is 10 s wide.
        clock.probeSent(1, 0);
        clock.answered(1, peer(10_000 + AHEAD_MS, 10_000 + AHEAD_MS), 10_010 * MS);
        assertTrue(clock.toPeerMs(20_000 * MS, 10_010 * MS) <= 20_000 + AHEAD_MS);
        // A later quick round trip tightens it; the best lower end of the window is used.
        clock.probeSent(2, 20_000 * MS);
        clock.answered(2, peer(20_002 + AHEAD_MS, 20_002 + AHEAD_MS), 20_004 * MS);
        assertEquals(30_000 + AHEAD_MS - 2, clock.toPeerMs(30_000 * MS, 20_004 * MS));
        // And again the other way: a stop on the way back does not undo it.
        clock.probeSent(3, 21_000 * MS);
        clock.answered(3, peer(21_001 + AHEAD_MS, 21_001 + AHEAD_MS), 31_000 * MS);
        long aged = (31_000 - 20_004) * PeerClock.DRIFT_PER_MILLION; // 11 s at 0.1 %, in ns
        assertEquals(Math.floorDiv((30_000 + AHEAD_MS - 2) * MS - aged, MS), clock.toPeerMs(30_000 * MS, 31_000 * MS));
    }

    @Test
    void samplesOlderThanTheWindowStopCountingButTheNewestStays() {
        PeerClock clock = new PeerClock();
        clock.probeSent(1, 0);
        clock.answered(1, peer(AHEAD_MS + 1, AHEAD_MS + 1), 2 * MS);
        clock.probeSent(2, 1000 * MS);
        clock.answered(2, peer(AHEAD_MS + 1000 - 100, AHEAD_MS + 1000 - 100), 1000 * MS);
        long now = PeerClock.WINDOW_NANOS + 5000 * MS;
        long drift = (now - 1000 * MS) / 1_000_000 * PeerClock.DRIFT_PER_MILLION;
        assertEquals(Math.floorDiv(AHEAD_MS * MS - 100 * MS - drift, MS), clock.toPeerMs(0, now),
                "only the newest is left, less the drift its age allows");
    }

    @Test
    void anOldSampleIsLoweredByTheDriftItsAgeAllowsSoAFreshOneWins() {
        PeerClock clock = new PeerClock();
        // A tight old sample (1 ms round trip) and, 50 s later, a looser fresh one (40 ms).
        clock.probeSent(1, 0);
        clock.answered(1, peer(AHEAD_MS, AHEAD_MS), MS);
        clock.probeSent(2, 50_000 * MS);
        clock.answered(2, peer(50_020 + AHEAD_MS, 50_020 + AHEAD_MS), 50_040 * MS);
        // Old: AHEAD-1, aged 50 s -> AHEAD-51. Fresh: AHEAD-20. The fresh one counts.
        assertEquals(AHEAD_MS - 20, clock.toPeerMs(0, 50_040 * MS));
    }

    @Test
    void onlyAnswersToOurProbesWithPlausibleTimesCount() {
        PeerClock clock = new PeerClock();
        assertThrows(IllegalStateException.class, () -> clock.toPeerMs(0, 0));
        clock.probeSent(5, 100 * MS);
        assertFalse(clock.answered(6, peer(1, 2), 200 * MS), "not a probe of ours");
        assertFalse(clock.answered(5, peer(10, 5), 200 * MS), "sent before received");
        assertFalse(clock.answered(5, peer(0, Long.MAX_VALUE), 200 * MS), "not milliseconds");
        assertFalse(clock.answered(5, ClockTimes.getDefaultInstance(), 200 * MS), "no times");
        assertFalse(clock.hasSample());
        assertTrue(clock.answered(5, peer(10, 10), 200 * MS));
        assertFalse(clock.answered(5, peer(10, 10), 300 * MS), "a probe gives one sample");
        clock.reset();
        assertFalse(clock.hasSample());
    }
}
