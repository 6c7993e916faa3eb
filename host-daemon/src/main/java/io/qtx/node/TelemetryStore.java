package io.qtx.node;

import java.util.ArrayDeque;
import java.util.List;

import io.qtx.proto.TelemetryReport;

/**
 * One VM's telemetry: the latest report and a bounded history, oldest first. A report is
 * stale when the next one is overdue by more than {@code staleFactor} intervals: the host
 * gets no signal when a guest agent dies, so silence is the signal. Loop thread only.
 */
final class TelemetryStore {

    private final int capacity;
    private final ArrayDeque<TelemetryEntry> history;
    private long received;

    TelemetryStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity);
        }
        this.capacity = capacity;
        this.history = new ArrayDeque<>(capacity);
    }

    void add(TelemetryReport report, long receivedUnixMs) {
        if (history.size() == capacity) {
            history.removeFirst();
        }
        history.addLast(new TelemetryEntry(report, receivedUnixMs));
        received++;
    }

    /** The newest entry, or null before the first report. */
    TelemetryEntry latest() {
        return history.peekLast();
    }

    List<TelemetryEntry> history() {
        return List.copyOf(history);
    }

    long received() {
        return received;
    }

    /** True when there is no report, or the newest is older than {@code staleAfterMs}. */
    boolean isStale(long nowUnixMs, long staleAfterMs) {
        TelemetryEntry last = history.peekLast();
        return last == null || nowUnixMs - last.receivedUnixMs() > staleAfterMs;
    }
}
