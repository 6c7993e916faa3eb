package io.qtx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

class LogFormatTest {

    private static LogRecord record(Level level, String message) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("io.qtx.agent.port.AgentConnection");
        r.setInstant(java.time.Instant.ofEpochMilli(0));
        return r;
    }

    @Test
    void journalLinesCarryThePriorityAndNoTime() {
        LogFormat journal = new LogFormat(true);
        assertEquals("<6>AgentConnection: state: a -> b\n", journal.format(record(Level.INFO, "state: a -> b")));
        assertEquals("<4>AgentConnection: x y\n", journal.format(record(Level.WARNING, "x\ny")));
        assertEquals("<3>AgentConnection: boom\n", journal.format(record(Level.SEVERE, "boom")));
        assertEquals("<7>AgentConnection: d\n", journal.format(record(Level.FINE, "d")));
    }

    @Test
    void terminalLinesStartWithUtcTimeAndLevel() {
        String line = new LogFormat(false).format(record(Level.INFO, "hello"));
        assertEquals("1970-01-01T00:00:00.000Z INFO    AgentConnection: hello\n", line);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line per record");
    }
}
