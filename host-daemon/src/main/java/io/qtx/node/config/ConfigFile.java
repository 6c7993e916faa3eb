package io.qtx.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.qtx.kit.config.ConfigException;
import io.qtx.kit.config.ConfigReader;
import io.qtx.kit.config.ConfigValues;
import io.qtx.kit.config.KeyTable;
import io.qtx.node.ApiAccess;
import io.qtx.node.NodeConfig;

/**
 * qx-node's configuration: defaults, then the file, then flags. The file is {@code key = value}
 * lines read by the daemon kit's {@link ConfigReader}, the same as the guest agent's; flags are
 * {@code --key=value} or {@code --key value} for every key. A bad value stops qx-node with the
 * file, line and key named.
 */
public final class ConfigFile {

    public static final Path DEFAULT_PATH = Path.of("/etc/quantix-kvm/node.conf");

    /** Every key with its default and what it means: the single source for the file, flags and --help. */
    public static final KeyTable KEYS = new KeyTable("qx-node")
            .add("socket_dir", "/var/run/quantix-kvm/vms", "directory of {vm_id}.agent.sock files")
            .add("rescan.interval", "30s", "slow rescan of socket_dir behind inotify")
            .add("api.listen", "127.0.0.1:8710", "address:port of the HTTP API (port 0: any free one)")
            .add("api.token_file", ApiAccess.DEFAULT_TOKEN_FILE.toString(),
                    "the bearer token every request needs; created (mode 0600) on first start when missing")
            .add("api.allowed_hosts", "localhost",
                    "names a request's Host may carry besides the listen address (comma-separated)")
            .add("api.metrics_public", "false", "true: /metrics answers without the token")
            .add("api.header_timeout", "10s", "a request's line and headers must arrive within this")
            .add("api.body_timeout", "30s", "a request body must arrive within this (uploads: no gap longer)")
            .add("api.write_timeout", "30s", "a client must take each part of an answer within this, or it is cut off")
            .add("api.max_connections", "256", "API connections open at once (more: 503)")
            .add("api.max_connections_per_client", "32", "API connections open at once from one address")
            .add("api.max_body", "1048576", "largest JSON request body, bytes (file uploads stream)")
            .add("api.threads", "8", "API requests waiting on agents at once (more wait their turn)")
            .add("heartbeat.interval", "5s", "a ready VM silent this long is pinged")
            .add("heartbeat.unresponsive_after", "15s", "a ready VM silent this long is unresponsive")
            .add("served.check", "3s", "how soon after connecting qx-node checks QEMU reads it")
            .add("hello.retry", "2s", "wait for a hello reply before saying hello again")
            .add("probe.timeout", "2s", "a liveness ping unanswered this long makes the VM unresponsive")
            .add("reconnect.min", "200ms", "first reconnect delay (jittered, doubling)")
            .add("reconnect.max", "30s", "largest reconnect delay")
            .add("request.timeout", "10s", "default deadline of an agent request")
            .add("telemetry.history", "60", "telemetry reports kept per VM")
            .add("telemetry.stale_after", "15s", "telemetry older than this is flagged stale")
            .add("channel.max_payload", "262144", "largest frame payload accepted, bytes")
            .add("channel.outbound_capacity", "524288", "bytes queued per VM before sends are refused");

    private ConfigFile() {
    }

    /**
     * Reads {@code file} (null: the default path, if it exists) and applies {@code flags}
     * ({@code key -> value}, already split by the command line parser).
     */
    public static NodeConfig load(Path file, boolean mustExist, Map<String, String> flags) throws ConfigException {
        return build(ConfigReader.read(KEYS, file == null ? DEFAULT_PATH : file, mustExist, flags));
    }

    private static NodeConfig build(ConfigValues v) throws ConfigException {
        String listen = v.text("api.listen");
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw v.error("api.listen", "expected address:port, e.g. 127.0.0.1:8710");
        }
        String bind = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = (int) v.integer("api.listen", listen.substring(colon + 1), 0, 65535);
        ApiAccess access = access(v, listen, bind);
        Duration reconnectMin = v.positive("reconnect.min");
        Duration reconnectMax = v.positive("reconnect.max");
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw v.error("reconnect.max", "is smaller than reconnect.min");
        }
        Duration heartbeat = v.positive("heartbeat.interval");
        Duration unresponsive = v.positive("heartbeat.unresponsive_after");
        if (unresponsive.compareTo(heartbeat) <= 0) {
            throw v.error("heartbeat.unresponsive_after", "must be longer than heartbeat.interval");
        }
        int maxPayload = (int) v.integer("channel.max_payload", 4096, 16 << 20);
        int outbound = (int) v.integer("channel.outbound_capacity", 4096, 256 << 20);
        if (outbound < maxPayload) {
            throw v.error("channel.outbound_capacity", "must hold at least one channel.max_payload");
        }
        return new NodeConfig(Path.of(v.nonEmpty("socket_dir")), v.positive("rescan.interval"), heartbeat,
                unresponsive, v.positive("served.check"), v.positive("hello.retry"), reconnectMin, reconnectMax,
                v.positive("request.timeout"), (int) v.integer("telemetry.history", 1, 100_000),
                v.positive("telemetry.stale_after"), maxPayload, outbound, bind, port, access,
                (int) v.integer("api.max_body", 1024, 1 << 30), (int) v.integer("api.threads", 1, 256),
                v.positive("probe.timeout"));
    }

    /**
     * The token file, checked as qx-node will use it, and the rule that keeps the API off the
     * network by accident: beyond loopback only with a token file the operator named and only
     * its owner can read.
     */
    private static ApiAccess access(ConfigValues v, String listen, String bind) throws ConfigException {
        boolean loopback;
        try {
            InetAddress a = InetAddress.getByName(bind);
            loopback = a.isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw v.error("api.listen", "cannot resolve '" + bind + "'");
        }
        Path tokenFile = Path.of(v.nonEmpty("api.token_file"));
        boolean explicit = !v.isDefault("api.token_file");
        if (!loopback && !explicit) {
            throw v.error("api.listen", "'" + listen + "' is reachable from other hosts: set api.token_file to a "
                    + "file only its owner can read (mode 0600) first (see host-daemon/README.md)");
        }
        String token;
        try {
            token = TokenFile.readForServer(tokenFile, !loopback);
        } catch (TokenFile.Problem e) {
            throw v.error("api.token_file", e.getMessage());
        }
        List<String> hosts = new ArrayList<>();
        for (String h : v.text("api.allowed_hosts").split(",")) {
            String name = h.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !name.matches("[a-z0-9.:\\[\\]_-]+")) {
                throw v.error("api.allowed_hosts", "'" + h.strip() + "' is not a host name or address");
            }
            if (!name.isEmpty()) {
                hosts.add(name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name);
            }
        }
        String metrics = v.text("api.metrics_public");
        if (!metrics.equals("true") && !metrics.equals("false")) {
            throw v.error("api.metrics_public", "'" + metrics + "' is neither true nor false");
        }
        int total = (int) v.integer("api.max_connections", 4, 1_000_000);
        int perClient = (int) v.integer("api.max_connections_per_client", 1, 1_000_000);
        if (perClient > total) {
            throw v.error("api.max_connections_per_client", "is larger than api.max_connections");
        }
        return new ApiAccess(tokenFile, token, hosts, metrics.equals("true"), v.positive("api.header_timeout"),
                v.positive("api.body_timeout"), v.positive("api.write_timeout"), total, perClient);
    }

    /** One key's value as a file and the defaults give it, without checking the rest (for qxctl). */
    public static String peek(Path file, String key) {
        return ConfigReader.peek(KEYS, file, key);
    }
}
