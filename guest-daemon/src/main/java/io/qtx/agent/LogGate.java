package io.qtx.agent;

import java.util.ArrayDeque;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.qtx.agent.handlers.admin.FreezeState;

/**
 * Holds the agent's log and audit lines in memory while it holds filesystems frozen. Under
 * systemd stderr is a pipe to journald, which writes to /var: with /var frozen journald stops
 * reading, the pipe fills and the next log line would block whichever agent thread wrote it
 * (the loop included). Held lines are written, in order, right after the thaw; beyond
 * {@code capacity} the oldest are dropped and counted.
 */
final class LogGate extends Handler implements FreezeState.Listener {

    private final Handler out;
    private final int capacity;
    private final ArrayDeque<LogRecord> held = new ArrayDeque<>();
    private boolean holding;
    private long dropped;

    LogGate(Handler out, int capacity) {
        this.out = out;
        this.capacity = capacity;
        setLevel(out.getLevel());
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        if (!holding) {
            out.publish(record);
            out.flush();
            return;
        }
        if (held.size() == capacity) {
            held.removeFirst();
            dropped++;
        }
        held.addLast(record);
    }

    @Override
    public synchronized void holding() {
        holding = true;
    }

    /** Writes what was held, then a line saying how much was held (and dropped). */
    @Override
    public synchronized void released() {
        if (!holding) {
            return;
        }
        holding = false;
        int count = held.size();
        while (!held.isEmpty()) {
            out.publish(held.removeFirst());
        }
        if (count > 0 || dropped > 0) {
            LogRecord note = new LogRecord(Level.INFO, count + " log lines held while filesystems were frozen"
                    + (dropped > 0 ? ", " + dropped + " older ones dropped" : ""));
            note.setLoggerName(LogGate.class.getName());
            out.publish(note);
        }
        dropped = 0;
        out.flush();
    }

    synchronized int heldCount() {
        return held.size();
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }
}
