package io.qtx.node;

import java.util.List;

import io.qtx.proto.Hello;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.SessionCounters;

/**
 * One VM as qx-node sees it at one moment: taken on the loop thread, read anywhere.
 *
 * @param peer the agent's Hello of the last session, or null before the first
 * @param lastRttNanos the last API ping's round trip, -1 before the first
 * @param unreadByQemu bytes we wrote that QEMU had not read at the last served check
 * @param session the current connection's counters, or null when not connected
 * @param telemetry the latest report, or null
 * @param conduct the guest's offences over the VM's life in qx-node
 * @param quarantine the current or last quarantine, or null if never
 * @param telemetryBytes what the VM's kept telemetry holds (bounded by GuestLimits.historyBytes)
 * @param lastReportRefusal why the last refused telemetry report was refused, or null
 * @param channel counters summed over all of the VM's connections, the current one included, so they
 *        only ever grow (what Prometheus wants of a counter)
 * @param latency request durations and ping round trips over the VM's life (live, not a copy)
 */
public record VmSnapshot(String id, String socket, VmState state, String message, long stateSinceUnixMs,
                         List<Transition> transitions, Hello peer, long lastReceivedUnixMs,
                         long lastRttNanos, long connects, long disconnects, long resyncsUnresponsive,
                         long notServedEpisodes, long requestTimeouts, long lateAnswers, int pendingRequests,
                         int unreadByQemu, SessionCounters session, TelemetryReport telemetry,
                         long telemetryReceivedUnixMs, boolean telemetryStale, long telemetryReports,
                         Conduct.Figures conduct, Conduct.Quarantine quarantine, long telemetryBytes,
                         String lastReportRefusal, SessionCounters channel, RequestLatency latency) {
}
