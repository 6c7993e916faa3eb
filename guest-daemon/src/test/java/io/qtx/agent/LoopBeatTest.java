package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.qtx.testkit.Await;

class LoopBeatTest {

    @Test
    void lateOnlyOnceABeatIsHalfAPeriodOverdue() throws Exception {
        LoopBeat beat = new LoopBeat(Duration.ofHours(1));
        assertFalse(beat.late(), "just started: not late");
        LoopBeat fast = new LoopBeat(Duration.ofMillis(20));
        Await.until("a loop that stopped beating reported late", fast::late);
        fast.beat();
        assertFalse(fast.late(), "a beat puts it right");
    }
}
