package io.qtx.node;

import java.util.ArrayDeque;
import java.util.List;

import io.qtx.proto.TelemetryReport;

/**
 * One VM's telemetry: the latest report and a bounded history, oldest first, bounded both in
 * entries and in bytes (the encoded reports, see {@link TelemetryEntry}), so what a guest sends
 * never costs more than {@code maxBytes} here. A report is stale when the next one is overdue:
 * the host gets no signal when a guest agent dies, so silence is the signal. Loop thread only.
 */
final class TelemetryStore {

    private final int capacity;
    private final long maxBytes;
    private final int maxReportBytes;
    private String lastRefusal;
    private final ArrayDeque<TelemetryEntry> history;
    private long bytes;
    private long received;
    private long refused;

    TelemetryStore(int capacity, long maxBytes, int maxReportBytes) {
        if (capacity < 1 || maxBytes < 1 || maxReportBytes < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " maxBytes=" + maxBytes);
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.maxReportBytes = maxReportBytes;
        this.history = new ArrayDeque<>(Math.min(capacity, 64));
    }

    TelemetryStore(int capacity, long maxBytes) {
        this(capacity, maxBytes, Integer.MAX_VALUE);
    }

    TelemetryStore(int capacity) {
        this(capacity, Long.MAX_VALUE);
    }

    /**
     * Keeps a guest's report if it passes {@link GuestMessages#checkTelemetry} and the byte
     * bound; false (and why in {@link #lastRefusal()}) when refused whole.
     */
    boolean offer(TelemetryReport report, long receivedUnixMs) {
        String refused = GuestMessages.checkTelemetry(report, maxReportBytes);
        if (refused == null && !add(report, receivedUnixMs)) {
            refused = "over the history's byte bound";
        }
        if (refused != null) {
            lastRefusal = refused;
            return false;
        }
        return true;
    }

    /** Why the last refused report was refused, or null. */
    String lastRefusal() {
        return lastRefusal;
    }

    /** Keeps a validated report; false (and counted) when it alone is over the byte bound. */
    boolean add(TelemetryReport report, long receivedUnixMs) {
        TelemetryEntry entry = TelemetryEntry.of(report, receivedUnixMs);
        if (entry.heapBytes() > maxBytes) {
            refused++;
            return false;
        }
        while (!history.isEmpty() && (history.size() >= capacity || bytes + entry.heapBytes() > maxBytes)) {
            bytes -= history.removeFirst().heapBytes();
        }
        history.addLast(entry);
        bytes += entry.heapBytes();
        received++;
        return true;
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

    /** Reports not kept because they alone were over the byte bound. */
    long refused() {
        return refused;
    }

    /** What the kept entries hold, roughly, in bytes; never over the bound. */
    long bytes() {
        return bytes;
    }

    /** True when there is no report, or the newest is older than {@code staleAfterMs}. */
    boolean isStale(long nowUnixMs, long staleAfterMs) {
        TelemetryEntry last = history.peekLast();
        return last == null || nowUnixMs - last.receivedUnixMs() > staleAfterMs;
    }
}
