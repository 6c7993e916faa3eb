package io.qtx.agent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per record on stderr. Under systemd ($JOURNAL_STREAM set) each line starts with
 * the sd-daemon(3) priority prefix ("<6>") and carries no time (journald adds its own); on a
 * terminal it starts with a UTC time and the level. Either way: "logger: message".
 */
final class LogFormat extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** Lines kept while frozen; a quiesce lasts at most fsfreeze.max_thaw, and the agent logs little meanwhile. */
    private static final int HELD_WHILE_FROZEN = 10_000;

    private final boolean journal;

    LogFormat(boolean journal) {
        this.journal = journal;
    }

    /**
     * Replaces the JDK's two-line console format on the root logger; the returned gate holds
     * every line while filesystems are frozen.
     */
    static LogGate install(boolean debug) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat(System.getenv("JOURNAL_STREAM") != null));
        Level level = debug ? Level.FINE : Level.INFO;
        handler.setLevel(level);
        root.setLevel(level);
        LogGate gate = new LogGate(handler, HELD_WHILE_FROZEN);
        root.addHandler(gate);
        return gate;
    }

    @Override
    public String format(LogRecord r) {
        String name = r.getLoggerName() == null ? "" : r.getLoggerName();
        String shortName = name.substring(name.lastIndexOf('.') + 1);
        StringBuilder b = new StringBuilder(128);
        if (journal) {
            b.append('<').append(priority(r.getLevel())).append('>');
        } else {
            b.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(String.format("%-7s", r.getLevel().getName())).append(' ');
        }
        b.append(shortName).append(": ").append(formatMessage(r).replace('\n', ' '));
        if (r.getThrown() != null) {
            b.append(": ").append(r.getThrown());
        }
        return b.append('\n').toString();
    }

    static int priority(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return 3;
        }
        if (v >= Level.WARNING.intValue()) {
            return 4;
        }
        if (v >= Level.INFO.intValue()) {
            return 6;
        }
        return 7;
    }
}
