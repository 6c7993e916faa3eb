package io.qtx.node.api;

import java.time.Duration;
import java.util.List;

import io.qtx.node.GuestText;
import io.qtx.node.Node;
import io.qtx.node.TelemetryEntry;
import io.qtx.node.VmSnapshot;
import io.qtx.proto.Filesystem;
import io.qtx.proto.TelemetryReport;

/**
 * {@code GET /status.json}: what the status page draws, in one answer: every VM's state and
 * reason, agent, round trip, the channel counters that explain a bad channel, and the recent
 * CPU/memory/disk history for its sparklines. The page fetches it when it opens and again
 * (at most every few seconds) when the event stream says something changed.
 */
final class StatusData {

    /** Points per sparkline: the newest reports, whatever the history keeps. */
    static final int HISTORY_POINTS = 60;

    private StatusData() {
    }

    static void write(JsonOut j, Node node, List<VmSnapshot> vms) {
        long now = System.currentTimeMillis();
        j.beginObject().field("version", Node.VERSION).field("now_unix_ms", now)
                .field("uptime_ms", node.uptimeMs()).name("vms").beginArray();
        for (VmSnapshot s : vms) {
            j.beginObject().field("id", s.id()).field("state", s.state().json()).field("message", s.message())
                    .field("state_since_unix_ms", s.stateSinceUnixMs())
                    // Guest text as the logs and qxctl show it: controls escaped, length cut.
                    .field("agent_version", s.peer() == null ? null : GuestText.safe(s.peer().getSoftwareVersion(), 64))
                    .field("hostname", s.peer() == null ? null : GuestText.safe(s.peer().getHostname(), 64))
                    .field("last_rtt_ms", s.lastRttNanos() < 0 ? -1 : s.lastRttNanos() / 1e6)
                    .field("telemetry_stale", s.telemetryStale())
                    .field("telemetry_unix_ms", s.telemetry() == null ? 0 : s.telemetryReceivedUnixMs());
            var c = s.channel();
            j.name("channel").beginObject().field("resyncs", c.resyncs())
                    .field("resyncs_unresponsive", s.resyncsUnresponsive()).field("bytes_skipped", c.bytesSkipped())
                    .field("frames_received", c.framesReceived()).field("frames_sent", c.framesSent())
                    .field("envelopes_refused", s.conduct().envelopesRefused())
                    .field("not_served_episodes", s.notServedEpisodes()).field("unread_by_qemu_bytes", s.unreadByQemu())
                    .field("pending_outbound_bytes", s.session() == null ? 0 : s.session().pendingOutboundBytes())
                    .field("throttled", s.session() != null && s.session().throttled())
                    .field("throttles", s.conduct().throttles()).field("quarantines", s.conduct().quarantines())
                    .field("request_timeouts", s.requestTimeouts()).field("disconnects", s.disconnects())
                    .field("quarantine_reason", s.quarantine() == null ? null : s.quarantine().reason())
                    .endObject();
            j.name("history").beginArray();
            for (TelemetryEntry e : history(node, s.id())) {
                TelemetryReport r = e.report();
                j.beginArray().value(e.receivedUnixMs()).value(r.getCpuPercent()).value(memoryPercent(r))
                        .value(diskPercent(r)).endArray();
            }
            j.endArray().endObject();
        }
        j.endArray().endObject();
    }

    private static List<TelemetryEntry> history(Node node, String id) {
        try {
            List<TelemetryEntry> all = ApiServer.await(node.telemetryHistory(id), Duration.ofSeconds(5));
            return all.subList(Math.max(0, all.size() - HISTORY_POINTS), all.size());
        } catch (RuntimeException e) {
            return List.of(); // the VM went away between the list and this call
        }
    }

    static double memoryPercent(TelemetryReport r) {
        long total = r.getMemory().getTotalBytes();
        return total <= 0 ? 0 : 100.0 * (total - Math.min(total, r.getMemory().getAvailableBytes())) / total;
    }

    static double diskPercent(TelemetryReport r) {
        double total = r.getFilesystemsList().stream().mapToDouble(Filesystem::getTotalBytes).sum();
        double used = r.getFilesystemsList().stream().mapToDouble(Filesystem::getUsedBytes).sum();
        return total <= 0 ? 0 : Math.min(100, 100 * used / total);
    }
}
