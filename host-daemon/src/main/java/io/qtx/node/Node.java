package io.qtx.node;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import io.qtx.epoll.EventLoop;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.kit.Identity;
import io.qtx.kit.Uptime;
import io.qtx.proto.AgentCounters;
import io.qtx.proto.Envelope;
import io.qtx.proto.Pong;
import io.qtx.proto.Request;
import io.qtx.proto.Role;
import io.qtx.session.ChannelOptions;
import io.qtx.session.Handshake;
import io.qtx.session.Session;

/**
 * qx-node's core: one event loop holding one {@link VmConnection} per agent socket found by the
 * {@link SocketWatcher}. Its public methods may be called from any thread: each hands its work
 * to the loop and returns a future, so nothing but the loop touches a descriptor.
 */
public final class Node implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Node.class.getName());
    public static final String VERSION = "0.1.0";

    private final NodeConfig config;
    private final GuestLimits limits;
    private final EventLoop loop;
    private final EventHub events = new EventHub();
    private final RandomGenerator random = new SecureRandom();
    private final Handshake.Identity identity;
    private final ChannelOptions channelOptions;
    private final Uptime uptime = new Uptime();
    /** Loop thread only. */
    private final Map<String, VmConnection> vms = new HashMap<>();
    private final SocketWatcher watcher;

    private Node(NodeConfig config, GuestLimits limits) throws NativeException {
        this.config = config;
        this.limits = limits;
        this.identity = Identity.of(Role.ROLE_HOST, VERSION, config.maxPayload(), null);
        ChannelOptions base = ChannelOptions.defaults(ChannelOptions.Kind.STREAM_SOCKET);
        // Smaller than the session's defaults: qx-node holds a thousand of these, and file chunks are 32 KiB.
        this.channelOptions = new ChannelOptions(ChannelOptions.Kind.STREAM_SOCKET, config.maxPayload(),
                config.maxPayload(), config.outboundCapacity(), base.writeTimeout(), base.stallTimeout(), limits.inbound());
        this.loop = EventLoop.start("qx-node-loop");
        this.watcher = new SocketWatcher(loop, config.socketDir(), config.rescanInterval(), new SocketWatcher.Listener() {
            @Override
            public void appeared(VmId id, Path socket) {
                vmAppeared(id, socket);
            }

            @Override
            public void gone(VmId id) {
                vmGone(id);
            }
        });
    }

    /** Starts the loop and the directory watch. */
    public static Node start(NodeConfig config) throws NativeException {
        return start(config, GuestLimits.defaults());
    }

    /** Starts with the given bounds on what a guest may cost (tests tighten them). */
    public static Node start(NodeConfig config, GuestLimits limits) throws NativeException {
        Node node = new Node(config, limits);
        node.onLoop(() -> {
            node.watcher.start();
            return null;
        }).join();
        LOG.log(System.Logger.Level.INFO, "watching {0} for *.agent.sock", config.socketDir());
        return node;
    }

    private void vmAppeared(VmId id, Path socket) {
        if (vms.containsKey(id.value())) {
            return;
        }
        VmConnection vm = new VmConnection(this, id, socket);
        vms.put(id.value(), vm);
        vm.connect();
    }

    private void vmGone(VmId id) {
        VmConnection vm = vms.remove(id.value());
        if (vm != null) {
            vm.remove();
        }
    }

    Session newSession(Fd fd, Session.Listener listener, String name) {
        return new Session(loop, fd, channelOptions, identity, config.helloRetry(), this::pong, listener, name);
    }

    private Pong pong() {
        long reconnects = 0;
        for (VmConnection vm : vms.values()) {
            reconnects += vm.disconnects();
        }
        return uptime.pong(AgentCounters.newBuilder().setReconnects(reconnects));
    }

    NodeConfig config() {
        return config;
    }

    GuestLimits limits() {
        return limits;
    }

    /**
     * Completes when the event loop's thread has ended: null after {@link #close()}, the cause
     * when it died (out of memory, say). A qx-node whose loop died serves nothing: it must exit.
     */
    public CompletableFuture<Throwable> loopEnded() {
        return loop.ended();
    }

    /**
     * Runs {@code beat} on the loop every {@code period}: proof, for a watchdog, that the loop
     * still turns (a wedged or dead loop stops the beats).
     */
    public void heartbeatFromLoop(Duration period, Runnable beat) {
        loop.scheduleAtFixedRate(period, period, beat);
    }

    EventLoop loop() {
        return loop;
    }

    RandomGenerator random() {
        return random;
    }

    public EventHub events() {
        return events;
    }

    public long uptimeMs() {
        return uptime.millis();
    }

    /** How many times the loop has woken from epoll_wait, for metrics. */
    public long loopWakeups() {
        return loop.wakeups();
    }

    /** The loop's CPU time, for metrics. */
    public long loopCpuNanos() {
        return loop.cpuTimeNanos();
    }

    /** Runs {@code work} on the loop; its result (or failure) completes the future. */
    <T> CompletableFuture<T> onLoop(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    f.complete(work.get());
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new NodeException(NodeException.Code.INTERNAL, "qx-node is shutting down"));
        }
        return f;
    }

    private <T> CompletableFuture<T> withVm(String id, Function<VmConnection, CompletableFuture<T>> work) {
        if (!VmId.isValid(id)) {
            return CompletableFuture.failedFuture(new NodeException(NodeException.Code.BAD_INPUT,
                    "not a valid VM id: letters, digits, '.', '_', '-', at most 64"));
        }
        return onLoop(() -> {
            VmConnection vm = vms.get(id);
            if (vm == null) {
                return CompletableFuture.<T>failedFuture(new NodeException(NodeException.Code.UNKNOWN_VM,
                        "no VM " + id + ": no " + id + VmId.SOCKET_SUFFIX + " in " + config.socketDir()));
            }
            return work.apply(vm);
        }).thenCompose(f -> f);
    }

    /** Every VM, sorted by id. */
    public CompletableFuture<List<VmSnapshot>> vms() {
        return onLoop(() -> {
            List<VmSnapshot> all = new ArrayList<>();
            for (VmConnection vm : vms.values()) {
                all.add(vm.snapshot());
            }
            all.sort(Comparator.comparing(VmSnapshot::id));
            return all;
        });
    }

    public CompletableFuture<VmSnapshot> vm(String id) {
        return withVm(id, vm -> CompletableFuture.completedFuture(vm.snapshot()));
    }

    public CompletableFuture<List<TelemetryEntry>> telemetryHistory(String id) {
        return withVm(id, vm -> CompletableFuture.completedFuture(vm.telemetryHistory()));
    }

    /** Pings the agent; completes with the round trip in nanoseconds. */
    public CompletableFuture<Long> ping(String id, Duration timeout) {
        return withVm(id, vm -> vm.ping(timeout));
    }

    /**
     * Sends {@code request} (its deadline is set here) and completes with the agent's
     * Response; an agent's Error becomes an AGENT_ERROR (or NOT_FOUND / BAD_INPUT where the
     * agent said so).
     */
    public CompletableFuture<io.qtx.proto.Response> request(String id, Request.Builder request, Duration timeout) {
        RequestKind what = RequestKind.of(request.getKindCase());
        return withVm(id, vm -> vm.request(request, what, timeout)).thenApply(answer -> {
            Envelope e = answer.envelope();
            if (e.getPayloadCase() != Envelope.PayloadCase.RESPONSE) {
                throw new NodeException(NodeException.Code.AGENT_ERROR, id + ": answer to a " + what + " was a "
                        + e.getPayloadCase());
            }
            io.qtx.proto.Response r = e.getResponse();
            if (r.hasError()) {
                throw AgentErrors.toNodeException(id, r.getError());
            }
            return r;
        });
    }

    public CompletableFuture<io.qtx.proto.Response> request(String id, Request.Builder request) {
        return request(id, request, config.requestTimeout());
    }

    @Override
    public void close() {
        try {
            onLoop(() -> {
                watcher.close();
                for (VmConnection vm : List.copyOf(vms.values())) {
                    vm.remove();
                }
                vms.clear();
                return null;
            }).join();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing: {0}", e.getMessage());
        }
        loop.close();
    }
}
