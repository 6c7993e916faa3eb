package io.qtx.node;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything qx-node can be told. {@link io.qtx.node.config.ConfigFile} reads it from a file,
 * flags override; {@link #defaults()} is what an empty file means.
 *
 * @param socketDir where QEMU's {vm_id}.agent.sock files appear
 * @param rescanInterval the slow directory rescan behind inotify (catches anything inotify missed)
 * @param heartbeatInterval a ready VM that sent nothing for this long is pinged
 * @param unresponsiveAfter a ready VM that sent nothing (telemetry, pong) for this long is unresponsive
 * @param servedCheck how long after connecting we look whether QEMU reads us at all
 * @param helloRetry how long the session waits for a HelloReply before a new Hello
 * @param backoffMin first reconnect delay
 * @param backoffMax largest reconnect delay
 * @param requestTimeout default deadline of a request
 * @param historySize telemetry reports kept per VM
 * @param staleAfter a VM's telemetry older than this is flagged stale
 * @param maxPayload largest frame payload we accept and announce
 * @param outboundCapacity bytes queued per connection before sends are refused
 * @param httpBind address the API binds; 127.0.0.1 unless told otherwise
 * @param httpPort API port; 0 picks a free one
 * @param access the API's token, the hosts it answers to and its connection limits
 * @param maxBodyBytes largest JSON request body
 * @param httpThreads HTTP handler threads (each waits on at most one agent answer at a time)
 * @param probeTimeout how long a liveness probe waits for its pong before the VM is unresponsive
 */
public record NodeConfig(Path socketDir, Duration rescanInterval, Duration heartbeatInterval,
                         Duration unresponsiveAfter, Duration servedCheck, Duration helloRetry,
                         Duration backoffMin, Duration backoffMax, Duration requestTimeout, int historySize,
                         Duration staleAfter, int maxPayload, int outboundCapacity, String httpBind, int httpPort,
                         ApiAccess access, int maxBodyBytes, int httpThreads, Duration probeTimeout) {

    public static final Path DEFAULT_SOCKET_DIR = Path.of("/var/run/quantix-kvm/vms");

    public static NodeConfig defaults() {
        return new NodeConfig(DEFAULT_SOCKET_DIR, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(15),
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(10), 60, Duration.ofSeconds(15), 256 * 1024, 512 * 1024, "127.0.0.1", 8710,
                ApiAccess.defaults(), 1 << 20, 8, Duration.ofSeconds(2));
    }

    /** The bearer token the API requires; null until {@link ApiAccess#tokenFile()} was read or created. */
    public String token() {
        return access.token();
    }

    public NodeConfig withSocketDir(Path dir) {
        return new NodeConfig(dir, rescanInterval, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, httpBind,
                httpPort, access, maxBodyBytes, httpThreads, probeTimeout);
    }

    public NodeConfig withHttp(String bind, int port, String bearerToken) {
        return new NodeConfig(socketDir, rescanInterval, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, bind,
                port, access.withToken(bearerToken), maxBodyBytes, httpThreads, probeTimeout);
    }

    public NodeConfig withAccess(ApiAccess api) {
        return new NodeConfig(socketDir, rescanInterval, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, httpBind,
                httpPort, api, maxBodyBytes, httpThreads, probeTimeout);
    }

    /** Shorter timings, for tests and the demo. */
    public NodeConfig withTimings(Duration heartbeat, Duration unresponsive, Duration served, Duration hello,
                                  Duration backoffFloor, Duration request, Duration stale) {
        return new NodeConfig(socketDir, rescanInterval, heartbeat, unresponsive, served, hello, backoffFloor,
                backoffMax, request, historySize, stale, maxPayload, outboundCapacity, httpBind, httpPort, access,
                maxBodyBytes, httpThreads, probeTimeout);
    }

    public NodeConfig withRescan(Duration rescan) {
        return new NodeConfig(socketDir, rescan, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, httpBind,
                httpPort, access, maxBodyBytes, httpThreads, probeTimeout);
    }

    public NodeConfig withMaxBodyBytes(int max) {
        return new NodeConfig(socketDir, rescanInterval, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, httpBind,
                httpPort, access, max, httpThreads, probeTimeout);
    }

    public NodeConfig withHttpThreads(int threads) {
        return new NodeConfig(socketDir, rescanInterval, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, httpBind,
                httpPort, access, maxBodyBytes, threads, probeTimeout);
    }

    /** A probe's bound: a TCG guest's JVM can stall for seconds at its first process spawn. */
    public NodeConfig withProbeTimeout(Duration timeout) {
        return new NodeConfig(socketDir, rescanInterval, heartbeatInterval, unresponsiveAfter, servedCheck, helloRetry,
                backoffMin, backoffMax, requestTimeout, historySize, staleAfter, maxPayload, outboundCapacity, httpBind,
                httpPort, access, maxBodyBytes, httpThreads, timeout);
    }
}
