package io.qtx.node.api;

import java.util.List;
import java.util.function.ToDoubleFunction;

import io.qtx.framing.ResyncReason;
import io.qtx.node.RequestLatency;
import io.qtx.node.VmSnapshot;
import io.qtx.node.VmState;
import io.qtx.proto.AgentCounters;
import io.qtx.proto.Filesystem;
import io.qtx.proto.NetInterface;
import io.qtx.proto.TelemetryReport;

/**
 * The per-VM families of {@code /metrics}, labelled {@code vm} (a host-side name, see VmId).
 * Channel counters run over all of a VM's connections; telemetry figures are the last report's,
 * exported while one is held, with its age beside them.
 */
final class VmMetrics {

    private VmMetrics() {
    }

    static void write(PromText p, List<VmSnapshot> vms, long nowMs) {
        state(p, vms);
        p.gauge("qtx_node_vm_ready", "1 when the VM's agent is ready");
        each(p, vms, "qtx_node_vm_ready", s -> s.state() == VmState.READY ? 1 : 0);
        p.gauge("qtx_node_vm_state_changed_timestamp_seconds", "Unix time the VM entered its current state");
        each(p, vms, "qtx_node_vm_state_changed_timestamp_seconds", s -> s.stateSinceUnixMs() / 1000.0);
        p.info("qtx_node_vm_agent", "the agent's software version (validated; 'invalid' otherwise), once it said hello");
        for (VmSnapshot s : vms) {
            if (s.peer() != null) {
                p.sample("qtx_node_vm_agent_info", 1, "vm", s.id(), "version",
                        GuestLabels.version(s.peer().getSoftwareVersion()));
            }
        }
        channel(p, vms);
        requests(p, vms);
        conduct(p, vms);
        telemetry(p, vms, nowMs);
        agentCounters(p, vms);
    }

    private static void state(PromText p, List<VmSnapshot> vms) {
        p.gauge("qtx_node_vm_state", "the VM's connection state: one series per state, 1 for the current one");
        for (VmSnapshot s : vms) {
            for (VmState st : VmState.values()) {
                p.sample("qtx_node_vm_state", s.state() == st ? 1 : 0, "vm", s.id(), "state", st.json());
            }
        }
    }

    private static void channel(PromText p, List<VmSnapshot> vms) {
        counter(p, vms, "qtx_node_vm_frames_received", "frames received from the agent", s -> s.channel().framesReceived());
        counter(p, vms, "qtx_node_vm_frames_sent", "frames sent to the agent", s -> s.channel().framesSent());
        counter(p, vms, "qtx_node_vm_received_payload_bytes", "payload bytes of the frames received",
                s -> s.channel().payloadBytesReceived());
        counter(p, vms, "qtx_node_vm_sent_bytes", "bytes written to the VM's socket, frame headers included",
                s -> s.channel().bytesSent());
        p.counter("qtx_node_vm_resyncs", "frames given up, by reason (unresponsive: a re-handshake after silence)");
        for (VmSnapshot s : vms) {
            for (ResyncReason r : ResyncReason.values()) {
                p.sample("qtx_node_vm_resyncs_total", s.channel().resyncs(r), "vm", s.id(), "reason",
                        r.name().toLowerCase(java.util.Locale.ROOT));
            }
            p.sample("qtx_node_vm_resyncs_total", s.resyncsUnresponsive(), "vm", s.id(), "reason", "unresponsive");
        }
        counter(p, vms, "qtx_node_vm_skipped_bytes", "bytes skipped while looking for a frame",
                s -> s.channel().bytesSkipped());
        counter(p, vms, "qtx_node_vm_handshakes", "hellos sent", s -> s.channel().handshakes());
        counter(p, vms, "qtx_node_vm_write_timeouts", "writes the VM's socket did not take in time",
                s -> s.channel().writeTimeouts());
        counter(p, vms, "qtx_node_vm_connects", "connections made to the VM's socket (reconnects included)",
                s -> s.connects());
        counter(p, vms, "qtx_node_vm_disconnects", "connections lost", s -> s.disconnects());
        counter(p, vms, "qtx_node_vm_not_served_episodes", "times another client held the VM's channel",
                s -> s.notServedEpisodes());
        gauge(p, vms, "qtx_node_vm_unread_by_qemu_bytes", "bytes we wrote that QEMU had not read at the last check",
                s -> s.unreadByQemu());
        gauge(p, vms, "qtx_node_vm_pending_outbound_bytes", "bytes queued for the VM and not yet written",
                s -> s.session() == null ? 0 : s.session().pendingOutboundBytes());
    }

    private static void requests(PromText p, List<VmSnapshot> vms) {
        counter(p, vms, "qtx_node_vm_request_timeouts", "requests that got no answer in time", s -> s.requestTimeouts());
        gauge(p, vms, "qtx_node_vm_requests_pending", "requests waiting for the agent's answer", s -> s.pendingRequests());
        p.histogram("qtx_node_vm_request_duration_seconds",
                "time from sending a request to its answer, timeout or failure, by kind and outcome");
        for (VmSnapshot s : vms) {
            for (var e : s.latency().requests().entrySet()) {
                RequestLatency.Key k = e.getKey();
                p.histogramSamples("qtx_node_vm_request_duration_seconds", e.getValue(), "vm", s.id(), "kind", k.kind(),
                        "outcome", k.outcome().label());
            }
        }
        p.histogram("qtx_node_vm_ping_rtt_seconds", "round trip of every answered ping (API, heartbeat, probe)");
        for (VmSnapshot s : vms) {
            p.histogramSamples("qtx_node_vm_ping_rtt_seconds", s.latency().pingRtt(), "vm", s.id());
        }
        p.gauge("qtx_node_vm_last_ping_rtt_seconds", "round trip of the last answered ping");
        for (VmSnapshot s : vms) {
            if (s.lastRttNanos() >= 0) {
                p.sample("qtx_node_vm_last_ping_rtt_seconds", s.lastRttNanos() / 1e9, "vm", s.id());
            }
        }
    }

    private static void conduct(PromText p, List<VmSnapshot> vms) {
        gauge(p, vms, "qtx_node_vm_throttled", "1 while reading from the VM is paused because it went over a rate",
                s -> s.session() != null && s.session().throttled() ? 1 : 0);
        counter(p, vms, "qtx_node_vm_throttles", "times reading paused because the guest went over a rate",
                s -> s.conduct().throttles());
        gauge(p, vms, "qtx_node_vm_misbehaving", "1 while the VM is quarantined for misbehaving",
                s -> s.state() == VmState.MISBEHAVING ? 1 : 0);
        counter(p, vms, "qtx_node_vm_quarantines", "times the VM was quarantined", s -> s.conduct().quarantines());
        counter(p, vms, "qtx_node_vm_garbage_bytes", "bytes skipped as garbage, all connections",
                s -> s.conduct().garbageBytes());
        counter(p, vms, "qtx_node_vm_envelopes_refused", "payloads refused: malformed or over limits",
                s -> s.conduct().envelopesRefused());
        counter(p, vms, "qtx_node_vm_reports_refused", "telemetry reports refused by validation",
                s -> s.conduct().reportsRefused());
        gauge(p, vms, "qtx_node_vm_telemetry_bytes", "bytes of telemetry kept for the VM", s -> s.telemetryBytes());
    }

    private static void telemetry(PromText p, List<VmSnapshot> vms, long nowMs) {
        List<VmSnapshot> with = vms.stream().filter(s -> s.telemetry() != null).toList();
        gauge(p, vms, "qtx_node_vm_telemetry_stale", "1 when the VM's telemetry is overdue", s -> s.telemetryStale() ? 1 : 0);
        counter(p, vms, "qtx_node_vm_telemetry_reports", "telemetry reports accepted", s -> s.telemetryReports());
        gauge(p, with, "qtx_node_vm_telemetry_age_seconds", "seconds since the last telemetry report arrived",
                s -> Math.max(0, nowMs - s.telemetryReceivedUnixMs()) / 1000.0);
        gauge(p, with, "qtx_node_vm_cpu_usage_ratio", "guest CPU busy, 0 to 1, in the last report",
                s -> s.telemetry().getCpuPercent() / 100.0);
        gauge(p, with, "qtx_node_vm_load1", "guest load average over 1 minute", s -> s.telemetry().getLoad1M());
        gauge(p, with, "qtx_node_vm_processes", "guest processes", s -> s.telemetry().getProcessCount());
        gauge(p, with, "qtx_node_vm_guest_uptime_seconds", "guest uptime", s -> s.telemetry().getUptimeMs() / 1000.0);
        gauge(p, with, "qtx_node_vm_memory_total_bytes", "guest memory", s -> s.telemetry().getMemory().getTotalBytes());
        gauge(p, with, "qtx_node_vm_memory_available_bytes", "guest memory available",
                s -> s.telemetry().getMemory().getAvailableBytes());
        gauge(p, with, "qtx_node_vm_memory_used_bytes", "guest memory used", s -> s.telemetry().getMemory().getUsedBytes());
        gauge(p, with, "qtx_node_vm_swap_total_bytes", "guest swap", s -> s.telemetry().getMemory().getSwapTotalBytes());
        gauge(p, with, "qtx_node_vm_swap_free_bytes", "guest swap free", s -> s.telemetry().getMemory().getSwapFreeBytes());
        gauge(p, with, "qtx_node_vm_disk_total_bytes", "size of all the guest's filesystems",
                s -> s.telemetry().getFilesystemsList().stream().mapToDouble(Filesystem::getTotalBytes).sum());
        gauge(p, with, "qtx_node_vm_disk_used_bytes", "used on all the guest's filesystems",
                s -> s.telemetry().getFilesystemsList().stream().mapToDouble(Filesystem::getUsedBytes).sum());
        counter(p, with, "qtx_node_vm_network_receive_bytes", "bytes received on all the guest's interfaces",
                s -> s.telemetry().getInterfacesList().stream().mapToDouble(NetInterface::getRxBytes).sum());
        counter(p, with, "qtx_node_vm_network_transmit_bytes", "bytes sent on all the guest's interfaces",
                s -> s.telemetry().getInterfacesList().stream().mapToDouble(NetInterface::getTxBytes).sum());
        p.gauge("qtx_node_vm_filesystem_size_bytes", "size per guest mount point (the first " + GuestLabels.MAX_PER_VM
                + " with a valid name)");
        filesystems(p, with, "qtx_node_vm_filesystem_size_bytes", Filesystem::getTotalBytes);
        p.gauge("qtx_node_vm_filesystem_used_bytes", "used per guest mount point");
        filesystems(p, with, "qtx_node_vm_filesystem_used_bytes", Filesystem::getUsedBytes);
        p.counter("qtx_node_vm_interface_receive_bytes", "bytes received per guest interface (the first "
                + GuestLabels.MAX_PER_VM + " with a valid name)");
        interfaces(p, with, "qtx_node_vm_interface_receive_bytes_total", NetInterface::getRxBytes);
        p.counter("qtx_node_vm_interface_transmit_bytes", "bytes sent per guest interface");
        interfaces(p, with, "qtx_node_vm_interface_transmit_bytes_total", NetInterface::getTxBytes);
        gauge(p, with, "qtx_node_vm_label_values_dropped", "guest interface and filesystem names in the last report"
                + " kept out of labels (invalid, or past the cap)", VmMetrics::dropped);
    }

    private static void filesystems(PromText p, List<VmSnapshot> vms, String name, ToDoubleFunction<Filesystem> value) {
        for (VmSnapshot s : vms) {
            int n = 0;
            for (Filesystem f : s.telemetry().getFilesystemsList()) {
                if (n < GuestLabels.MAX_PER_VM && GuestLabels.mountpoint(f.getMountpoint())) {
                    n++;
                    p.sample(name, value.applyAsDouble(f), "vm", s.id(), "mountpoint", f.getMountpoint());
                }
            }
        }
    }

    private static void interfaces(PromText p, List<VmSnapshot> vms, String name, ToDoubleFunction<NetInterface> value) {
        for (VmSnapshot s : vms) {
            int n = 0;
            for (NetInterface i : s.telemetry().getInterfacesList()) {
                if (n < GuestLabels.MAX_PER_VM && GuestLabels.interfaceName(i.getName())) {
                    n++;
                    p.sample(name, value.applyAsDouble(i), "vm", s.id(), "interface", i.getName());
                }
            }
        }
    }

    private static double dropped(VmSnapshot s) {
        TelemetryReport t = s.telemetry();
        long fs = t.getFilesystemsList().stream().filter(f -> GuestLabels.mountpoint(f.getMountpoint())).count();
        long ifs = t.getInterfacesList().stream().filter(i -> GuestLabels.interfaceName(i.getName())).count();
        return t.getFilesystemsCount() - Math.min(fs, GuestLabels.MAX_PER_VM)
                + t.getInterfacesCount() - Math.min(ifs, GuestLabels.MAX_PER_VM);
    }

    /** The agent's own counters, as its last report gave them (they restart with the agent). */
    private static void agentCounters(PromText p, List<VmSnapshot> vms) {
        List<VmSnapshot> with = vms.stream().filter(s -> s.telemetry() != null && s.telemetry().hasAgent()).toList();
        counter(p, with, "qtx_node_vm_agent_reconnects", "the agent's reconnects to its port", s -> agent(s).getReconnects());
        counter(p, with, "qtx_node_vm_agent_write_timeouts", "the agent's write timeouts", s -> agent(s).getWriteTimeouts());
        counter(p, with, "qtx_node_vm_agent_frames_received", "frames the agent received", s -> agent(s).getFramesReceived());
        counter(p, with, "qtx_node_vm_agent_frames_sent", "frames the agent sent", s -> agent(s).getFramesSent());
        counter(p, with, "qtx_node_vm_agent_resyncs", "frames the agent gave up", s -> agent(s).getResyncs());
        counter(p, with, "qtx_node_vm_agent_skipped_bytes", "bytes the agent skipped", s -> agent(s).getBytesSkipped());
        counter(p, with, "qtx_node_vm_agent_telemetry_dropped", "reports the agent dropped on a full queue",
                s -> agent(s).getTelemetryDropped());
        counter(p, with, "qtx_node_vm_agent_requests_expired", "requests the agent dropped past their deadline",
                s -> agent(s).getRequestsExpired());
    }

    private static AgentCounters agent(VmSnapshot s) {
        return s.telemetry().getAgent();
    }

    private static void gauge(PromText p, List<VmSnapshot> vms, String name, String help, ToDoubleFunction<VmSnapshot> v) {
        p.gauge(name, help);
        each(p, vms, name, v);
    }

    private static void counter(PromText p, List<VmSnapshot> vms, String name, String help,
                                ToDoubleFunction<VmSnapshot> v) {
        p.counter(name, help);
        each(p, vms, name + "_total", v);
    }

    private static void each(PromText p, List<VmSnapshot> vms, String name, ToDoubleFunction<VmSnapshot> v) {
        for (VmSnapshot s : vms) {
            p.sample(name, v.applyAsDouble(s), "vm", s.id());
        }
    }
}
