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

        Api(Rig rig, ApiServer api) {
            this.rig = rig;
            this.api = api;
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
}
