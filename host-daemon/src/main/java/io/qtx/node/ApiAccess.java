package io.qtx.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Who may reach qx-node's API and how much of it one client may hold.
 *
 * @param tokenFile where the bearer token lives (created on first start when missing)
 * @param token the bearer token every request needs; null until read or created
 * @param allowedHosts names a request's {@code Host} may carry besides the listen address
 * @param metricsPublic {@code /metrics} answers without the token
 * @param headerTimeout a request's line and headers must arrive within this
 * @param bodyTimeout a request's body must arrive within this (a streamed upload: no gap longer)
 * @param writeTimeout a client must take each part of an answer within this, or it is cut off
 * @param maxConnections connections open at once, from everyone
 * @param maxConnectionsPerClient connections open at once from one client address
 */
public record ApiAccess(Path tokenFile, String token, List<String> allowedHosts, boolean metricsPublic,
                        Duration headerTimeout, Duration bodyTimeout, Duration writeTimeout, int maxConnections,
                        int maxConnectionsPerClient) {

    public static final Path DEFAULT_TOKEN_FILE = Path.of("/var/lib/quantix-kvm/qx-node.token");

    public ApiAccess {
        allowedHosts = List.copyOf(allowedHosts);
    }

    public static ApiAccess defaults() {
        return new ApiAccess(DEFAULT_TOKEN_FILE, null, List.of("localhost"), false, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(30), 256, 32);
    }

    public ApiAccess withToken(String bearer) {
        return new ApiAccess(tokenFile, bearer, allowedHosts, metricsPublic, headerTimeout, bodyTimeout, writeTimeout,
                maxConnections, maxConnectionsPerClient);
    }

    public ApiAccess withMetricsPublic(boolean open) {
        return new ApiAccess(tokenFile, token, allowedHosts, open, headerTimeout, bodyTimeout, writeTimeout,
                maxConnections, maxConnectionsPerClient);
    }

    public ApiAccess withAllowedHosts(List<String> names) {
        return new ApiAccess(tokenFile, token, names, metricsPublic, headerTimeout, bodyTimeout, writeTimeout,
                maxConnections, maxConnectionsPerClient);
    }

    public ApiAccess withLimits(Duration header, Duration body, int connections, int perClient) {
        return new ApiAccess(tokenFile, token, allowedHosts, metricsPublic, header, body, writeTimeout, connections,
                perClient);
    }

    public ApiAccess withWriteTimeout(Duration write) {
        return new ApiAccess(tokenFile, token, allowedHosts, metricsPublic, headerTimeout, bodyTimeout, write,
                maxConnections, maxConnectionsPerClient);
    }
}
