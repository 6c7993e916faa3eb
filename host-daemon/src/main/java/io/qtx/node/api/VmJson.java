package io.qtx.node.api;

import java.util.List;

import io.qtx.node.GuestText;
import io.qtx.node.NodeEvent;
import io.qtx.node.TelemetryEntry;
import io.qtx.node.Transition;
import io.qtx.node.VmSnapshot;

/** How VMs, telemetry and events look in the API's JSON. */
final class VmJson {

    private VmJson() {
    }

    /** The summary line of {@code GET /vms}. */
    static void summary(JsonOut j, VmSnapshot s) {
        j.beginObject().field("id", s.id()).field("state", s.state().json()).field("message", s.message())
                .field("state_since_unix_ms", s.stateSinceUnixMs())
                .field("agent_version", s.peer() == null ? null : s.peer().getSoftwareVersion())
                .field("hostname", s.peer() == null ? null : s.peer().getHostname())
                .field("last_rtt_ms", s.lastRttNanos() < 0 ? -1 : s.lastRttNanos() / 1e6)
                .field("telemetry_stale", s.telemetryStale());
        j.endObject();
    }

    /** Everything about one VM: what {@code qxctl info} and {@code qxctl doctor} read. */
    static String detail(VmSnapshot s) {
        JsonOut j = new JsonOut().beginObject().field("id", s.id()).field("socket", s.socket())
                .field("state", s.state().json()).field("message", s.message())
                .field("state_since_unix_ms", s.stateSinceUnixMs()).field("last_received_unix_ms", s.lastReceivedUnixMs())
                .field("last_rtt_ms", s.lastRttNanos() < 0 ? -1 : s.lastRttNanos() / 1e6)
                .field("connects", s.connects()).field("disconnects", s.disconnects())
                .field("resyncs_unresponsive", s.resyncsUnresponsive()).field("not_served_episodes", s.notServedEpisodes())
                .field("request_timeouts", s.requestTimeouts()).field("late_answers", s.lateAnswers())
                .field("pending_requests", s.pendingRequests()).field("unread_by_qemu_bytes", s.unreadByQemu())
                .field("telemetry_stale", s.telemetryStale()).field("telemetry_reports", s.telemetryReports())
                .field("agent_hello", s.peer());
        j.name("session");
        if (s.session() == null) {
            j.value((String) null);
        } else {
            var f = s.session();
            j.beginObject().field("frames_received", f.framesReceived()).field("frames_sent", f.framesSent())
                    .field("frames_refused", f.framesRefused()).field("resyncs", f.resyncs())
                    .field("bytes_skipped", f.bytesSkipped()).field("discarded_before_ready", f.discardedBeforeReady())
                    .field("handshakes", f.handshakes()).field("write_timeouts", f.writeTimeouts())
                    .field("pending_outbound_bytes", f.pendingOutboundBytes())
                    .field("envelopes_refused", f.envelopesRefused()).field("over_limits", f.overLimits())
                    .field("last_over_limit", f.lastOverLimit() == null ? null : GuestText.safe(f.lastOverLimit(), 256))
                    .field("throttles", f.throttles())
                    .field("throttled", f.throttled()).field("budget_yields", f.budgetYields())
                    .field("pings_refused", f.pingsRefused()).endObject();
        }
        var c = s.conduct();
        j.name("conduct").beginObject().field("throttles", c.throttles()).field("pings_refused", c.pingsRefused())
                .field("garbage_bytes", c.garbageBytes()).field("envelopes_refused", c.envelopesRefused())
                .field("reports_refused", c.reportsRefused()).field("last_report_refusal", s.lastReportRefusal())
                .field("hellos_unanswered", c.handshakesUnanswered())
                .field("unresponsive_episodes", c.unresponsiveEpisodes()).field("quarantines", c.quarantines())
                .field("telemetry_bytes", s.telemetryBytes()).endObject();
        j.name("quarantine");
        if (s.quarantine() == null) {
            j.value((String) null);
        } else {
            var q = s.quarantine();
            j.beginObject().field("reason", q.reason()).field("since_unix_ms", q.sinceUnixMs())
                    .field("retry_at_unix_ms", q.retryAtUnixMs()).field("count", q.count()).endObject();
        }
        j.name("transitions").beginArray();
        for (Transition t : s.transitions()) {
            j.beginObject().field("state", t.state().json()).field("message", t.message())
                    .field("unix_ms", t.unixMs()).endObject();
        }
        return j.endArray().endObject().toString();
    }

    static void list(JsonOut j, List<VmSnapshot> all) {
        j.beginObject().name("vms").beginArray();
        for (VmSnapshot s : all) {
            summary(j, s);
        }
        j.endArray().endObject();
    }

    static String telemetry(VmSnapshot s) {
        return new JsonOut().beginObject().field("vm", s.id()).field("state", s.state().json())
                .field("stale", s.telemetryStale()).field("received_unix_ms", s.telemetryReceivedUnixMs())
                .field("report", s.telemetry()).endObject().toString();
    }

    static String history(String vm, List<TelemetryEntry> entries) {
        JsonOut j = new JsonOut().beginObject().field("vm", vm).name("history").beginArray();
        for (TelemetryEntry e : entries) {
            j.beginObject().field("received_unix_ms", e.receivedUnixMs()).field("report", e.report()).endObject();
        }
        return j.endArray().endObject().toString();
    }

    static String event(NodeEvent e) {
        JsonOut j = new JsonOut().beginObject().field("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT))
                .field("vm", e.vm()).field("state", e.state().json()).field("unix_ms", e.unixMs());
        if (e.message() != null) {
            j.field("message", e.message());
        }
        if (e.telemetry() != null) {
            j.field("report", e.telemetry());
        }
        return j.endObject().toString();
    }
}
