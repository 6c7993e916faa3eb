package io.qtx.node;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.function.UnaryOperator;

import io.qtx.node.api.ApiServer;

/** Rigs shared by the API and CLI tests: qx-node with its API and three VMs in known states. */
public final class TestRigs {

    private TestRigs() {
    }

    /** The bearer token the rigs' API wants. */
    public static final String TOKEN = "test-token-0123456789abcdef";

    /** vm-1 (answering agent), vm-mute (agent that never answers requests), vm-none (no agent). */
    public static final class Api implements AutoCloseable {
        public final Rig rig;
        public final ApiServer api;
        /** The agents a rig made that a test may change or stop, by VM. */
        public final java.util.Map<String, FakeAgent> agents = new java.util.concurrent.ConcurrentHashMap<>();

        Api(Rig rig, ApiServer api) {
            this.rig = rig;
            this.api = api;
        }

        /** Stops the agent of {@code vm} (one in {@link #agents}), as if it died in the guest. */
        public void stopAgent(String vm) throws Exception {
            agents.get(vm).detach().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        /** A request to {@code path} carrying the token, as every caller of the API must. */
        public HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN);
        }

        @Override
        public void close() throws Exception {
            api.close();
            rig.close();
        }
    }

    public static Api api(UnaryOperator<NodeConfig> tweak) throws Exception {
        return api(TOKEN, tweak);
    }

    public static Api api(String token, UnaryOperator<NodeConfig> tweak) throws Exception {
        Rig rig = new Rig();
        try {
            rig.agent(rig.vm("vm-1"));
            rig.agent(rig.vm("vm-mute"), false);
            rig.vm("vm-none");
            NodeConfig config = tweak.apply(Rig.fastConfig(rig.dir).withHttp("127.0.0.1", 0, token));
            rig.startNode(config);
            rig.awaitState("vm-1", VmState.READY);
            rig.awaitState("vm-mute", VmState.READY);
            rig.awaitVm("vm-none", "diagnosed", s -> s.state() == VmState.HANDSHAKING && s.message().contains("agent"));
            return new Api(rig, ApiServer.start(rig.node, config));
        } catch (Exception | Error e) {
            rig.close();
            throw e;
        }
    }

    /**
     * For the monitoring tests: VMs in several states. vm-1 (answering, its reports list
     * filesystems and interfaces, some with names a hostile guest might send), vm-mute (never
     * answers requests), vm-none (no agent: handshaking) and vm-quiet (its agent stopped after
     * the handshake: unresponsive or re-handshaking, never ready again).
     */
    public static Api monitored() throws Exception {
        Rig rig = new Rig();
        try {
            FakeAgent one = rig.agent(rig.vm("vm-1"));
            one.reportExtras(TestRigs::disksAndInterfaces);
            rig.agent(rig.vm("vm-mute"), false);
            rig.vm("vm-none");
            FakeAgent quiet = rig.agent(rig.vm("vm-quiet"));
            NodeConfig config = Rig.fastConfig(rig.dir).withHttp("127.0.0.1", 0, TOKEN);
            rig.startNode(config);
            rig.awaitState("vm-1", VmState.READY);
            rig.awaitState("vm-mute", VmState.READY);
            rig.awaitState("vm-quiet", VmState.READY);
            quiet.detach().get(10, java.util.concurrent.TimeUnit.SECONDS);
            rig.awaitVm("vm-quiet", "not ready", s -> s.state() != VmState.READY);
            rig.awaitVm("vm-none", "diagnosed", s -> s.state() == VmState.HANDSHAKING && s.message().contains("agent"));
            rig.awaitVm("vm-1", "telemetry with disks", s -> s.telemetry() != null && s.telemetry().getFilesystemsCount() > 0);
            Api api = new Api(rig, ApiServer.start(rig.node, config));
            api.agents.put("vm-1", one);
            return api;
        } catch (Exception | Error e) {
            rig.close();
            throw e;
        }
    }

    /** Two real-looking filesystems and interfaces, then 30 interfaces and a mount point no label may carry. */
    static io.qtx.proto.TelemetryReport.Builder disksAndInterfaces(io.qtx.proto.TelemetryReport.Builder b) {
        b.addFilesystems(io.qtx.proto.Filesystem.newBuilder().setMountpoint("/").setTotalBytes(10L << 30)
                .setUsedBytes(4L << 30).setAvailableBytes(6L << 30));
        b.addFilesystems(io.qtx.proto.Filesystem.newBuilder().setMountpoint("/var/lib/data").setTotalBytes(20L << 30)
                .setUsedBytes(1L << 30).setAvailableBytes(19L << 30));
        b.addFilesystems(io.qtx.proto.Filesystem.newBuilder().setMountpoint("/evil\"} 1\nqtx_fake 1").setTotalBytes(1));
        b.addInterfaces(io.qtx.proto.NetInterface.newBuilder().setName("lo").setRxBytes(1000).setTxBytes(1000));
        b.addInterfaces(io.qtx.proto.NetInterface.newBuilder().setName("eth0").setRxBytes(123456).setTxBytes(65432));
        for (int i = 0; i < 30; i++) {
            b.addInterfaces(io.qtx.proto.NetInterface.newBuilder().setName("x" + i + (i % 2 == 0 ? "\"\n" : ""))
                    .setRxBytes(1));
        }
        return b;
    }
}
