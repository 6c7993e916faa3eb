package io.qtx.node.cli;

import java.io.PrintStream;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;


import io.qtx.node.VmState;

/**
 * {@code qxctl doctor VM}: walks the channel from the socket file to the agent's answers,
 * one line per step, and ends with what to do. Exit 0 when the agent is healthy, 1 otherwise.
 */
final class Doctor {

    /** States in which qx-node holds no connected socket to the VM. */
    private static final Set<VmState> NOT_CONNECTED = EnumSet.of(VmState.DISCOVERED, VmState.CONNECTING,
            VmState.DISCONNECTED, VmState.RECONNECTING);

    private final ApiClient api;
    private final boolean json;
    private final PrintStream out;
    private final StringBuilder steps = new StringBuilder();
    private boolean firstStep = true;

    Doctor(ApiClient api, boolean json, PrintStream out) {
        this.api = api;
        this.json = json;
        this.out = out;
    }

    Exit run(String id) throws CliException {
        String base = "/api/v1/vms/" + ApiClient.enc(id);
        Map<String, Object> d;
        try {
            d = Json.parse(api.get(base));
        } catch (CliException e) {
            if (e.exit != Exit.UNKNOWN_VM) {
                throw e;
            }
            step("socket", false, "qx-node knows no socket " + id + ".agent.sock",
                    "is the VM running, and does its libvirt XML have the org.quantix.agent.0 channel with"
                            + " that path? Check the socket directory (qx-node --help: socket_dir)");
            return finish(id, false);
        }
        step("socket", true, Json.text(d, "socket") + " present", null);
        VmState state = VmState.fromJson(Json.text(d, "state"));
        if (state == null) {
            step("state", false, "qx-node reports a state this qxctl does not know: '" + Json.text(d, "state")
                    + "'", "use the qxctl installed with this qx-node (/usr/bin/qxctl)");
            return finish(id, false);
        }
        return finish(id, connected(id, d, state) && talking(d, state) && pinged(base));
    }

    /** The steps up to QEMU reading this connection. */
    private boolean connected(String id, Map<String, Object> d, VmState state) {
        if (state == VmState.MISBEHAVING) {
            step("conduct", false, Json.text(d, "message"), "qx-node quarantined this VM for what its guest sends"
                    + " (reason and figures above; detail: qxctl --json info " + id + "); it tries again by itself after"
                    + " the back-off. Look inside the guest: a program other than the agent on the port, or a"
                    + " compromised agent");
            return false;
        }
        boolean connected = !NOT_CONNECTED.contains(state);
        step("connect", connected, connected ? "connected (" + (long) Json.number(d, "connects") + " connect(s), "
                        + (long) Json.number(d, "disconnects") + " lost)" : state.json() + ": "
                        + Json.text(d, "message"),
                connected ? null : "QEMU refuses or is gone: is the VM running? qx-node retries by itself with backoff");
        if (!connected) {
            return false;
        }
        boolean served = state != VmState.NOT_SERVED;
        step("served", served, served ? "QEMU reads this connection" : Json.text(d, "message"),
                served ? null : "find the other client with: ss -xp | grep " + id + ".agent.sock; stop it"
                        + " (a second qx-node, socat, virsh console) and qx-node is served at once");
        return served;
    }

    /** The steps from the handshake to the agent's heartbeat, with the frame figures between. */
    private boolean talking(Map<String, Object> d, VmState state) {
        boolean handshaken = state == VmState.READY || state == VmState.UNRESPONSIVE;
        step("handshake", handshaken, handshaken ? "agent " + Json.text(d, "agent_hello.software_version") + " on "
                        + Json.text(d, "agent_hello.hostname") : Json.text(d, "message"),
                handshaken ? null : "in the guest: systemctl status quantix-kvm-agent (is it installed and running?),"
                        + " ls /dev/virtio-ports/ (is org.quantix.agent.0 there?)");
        frames(d);
        if (!handshaken) {
            return false;
        }
        boolean alive = state == VmState.READY;
        step("heartbeat", alive, alive ? "telemetry " + (Json.bool(d, "telemetry_stale") ? "stale"
                        : "fresh") : Json.text(d, "message"),
                alive ? null : "the agent stopped talking: in the guest, journalctl -u quantix-kvm-agent");
        return alive;
    }

    private void frames(Map<String, Object> d) {
        long ago = System.currentTimeMillis() - (long) Json.number(d, "last_received_unix_ms");
        boolean frames = Json.number(d, "session.frames_received") > 0;
        step("frames", frames, (long) Json.number(d, "session.frames_received") + " frame(s) received, "
                + (long) Json.number(d, "session.frames_sent") + " sent"
                + (Json.number(d, "last_received_unix_ms") > 0 ? "; last " + ago + " ms ago" : ""), null);
        long resyncs = (long) Json.number(d, "session.resyncs");
        long skipped = (long) Json.number(d, "session.bytes_skipped");
        long discarded = (long) Json.number(d, "session.discarded_before_ready");
        long timeouts = (long) Json.number(d, "request_timeouts");
        step("resync", true, resyncs + " frame resync(s), " + skipped + " byte(s) skipped, " + discarded
                + " stale envelope(s) discarded before the handshake, " + timeouts + " request timeout(s), "
                + (long) Json.number(d, "resyncs_unresponsive") + " session re-sync(s)",
                null);
    }

    private boolean pinged(String base) {
        try {
            double rtt = Json.number(Json.parse(api.get(base + "/agent/ping")), "rtt_ms");
            step("ping", true, String.format("rtt %.3f ms", rtt), null);
            return true;
        } catch (CliException e) {
            step("ping", false, e.getMessage(), "the agent is connected but not answering requests; see its log");
            return false;
        }
    }

    private void step(String name, boolean ok, String what, String todo) {
        if (json) {
            steps.append(firstStep ? "" : ",").append("{\"step\":").append(Json.quote(name)).append(",\"ok\":")
                    .append(ok).append(",\"detail\":").append(Json.quote(what)).append(",\"todo\":")
                    .append(todo == null ? "null" : Json.quote(todo)).append('}');
            firstStep = false;
            return;
        }
        out.printf("%-10s %-4s %s%n", name, ok ? "ok" : "FAIL", what);
        if (todo != null) {
            out.printf("%-15s-> %s%n", "", todo);
        }
    }

    private Exit finish(String id, boolean healthy) {
        if (json) {
            out.println("{\"vm\":" + Json.quote(id) + ",\"healthy\":" + healthy + ",\"steps\":[" + steps + "]}");
        } else {
            out.println(healthy ? id + ": healthy" : id + ": not healthy (see the FAIL line above)");
        }
        return healthy ? Exit.OK : Exit.PROBLEM;
    }
}
