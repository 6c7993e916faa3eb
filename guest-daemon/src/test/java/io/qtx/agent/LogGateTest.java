package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

/** While filesystems are frozen not one log or audit line reaches stderr; after the thaw all do, in order. */
class LogGateTest {

    static final class Written extends Handler {
        final List<String> lines = new ArrayList<>();

        @Override
        public void publish(LogRecord r) {
            lines.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void linesAreHeldWhileFrozenAndWrittenInOrderAfterTheThaw() {
        Written out = new Written();
        LogGate gate = new LogGate(out, 3);
        gate.publish(new LogRecord(Level.INFO, "before"));
        gate.holding();
        for (int i = 1; i <= 5; i++) {
            gate.publish(new LogRecord(Level.INFO, "audit " + i));
        }
        assertEquals(List.of("before"), out.lines, "nothing written while frozen");
        gate.released();
        assertEquals(List.of("before", "audit 3", "audit 4", "audit 5",
                "3 log lines held while filesystems were frozen, 2 older ones dropped"), out.lines);
        gate.publish(new LogRecord(Level.INFO, "after"));
        assertTrue(out.lines.getLast().equals("after"));
    }
}
