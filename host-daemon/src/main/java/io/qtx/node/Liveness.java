package io.qtx.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;

/**
 * Liveness on demand for one VM. QEMU never says when a guest agent dies, so whenever it
 * matters (a handshake just completed, a request waits, a request timed out) the agent is
 * probed with a ping: its pong proves it alive, no pong within the probe timeout
 * ({@code probe.timeout}, 2 s by default) makes it unresponsive. While requests wait, the agent
 * must be heard from (telemetry, pong, answer) at least every {@link #PROBE_AFTER}, or it is
 * probed then: with the defaults a dead agent is reported within 0.5 + 2 = 2.5 s of the first
 * request after its death, at most 2 s when it had already been silent for half a second. Pongs
 * are answered on the agent's event loop, never behind a handler; but a JVM under TCG on a
 * loaded host can stall for 2 to 3 s at its first process spawn, so the real-QEMU tests use 5 s.
 *
 * <p>Loop thread only.
 */
final class Liveness {

    /** Silence while a request waits after which the agent is probed. */
    static final Duration PROBE_AFTER = Duration.ofMillis(500);

    /** What the probes need of their VM. */
    interface Vm {

        /** A probe may go out: the session is handshaken. */
        boolean canProbe();

        /** The VM is ready (requests may be waiting on it). */
        boolean isReady();

        /** Sends a ping; completes with its round trip in nanoseconds, or fails (a timeout: AGENT_TIMEOUT). */
        CompletableFuture<Long> ping(Duration timeout);

        /** A pong came back. */
        void answered(long rttNanos);

        /** No pong within the bound: {@code why} says so, for the state and the failed requests. */
        void unresponsive(String why);

        /** Requests waiting for an answer. */
        int waiting();

        /** System.nanoTime() of the last envelope from the agent. */
        long lastHeardNanos();
    }

    private final EventLoop loop;
    private final Duration probeTimeout;
    private final Vm vm;
    private boolean probeInFlight;
    private Timer check;

    Liveness(EventLoop loop, Duration probeTimeout, Vm vm) {
        this.loop = loop;
        this.probeTimeout = probeTimeout;
        this.vm = vm;
    }

    /** Pings the agent unless a probe is already out. */
    void probe(String why) {
        if (probeInFlight || !vm.canProbe()) {
            return;
        }
        probeInFlight = true;
        vm.ping(probeTimeout).whenComplete((rtt, failure) -> {
            probeInFlight = false;
            if (failure == null) {
                vm.answered(rtt);
                if (vm.waiting() > 0) {
                    watch();
                }
            } else if (NodeException.of(failure).code() == NodeException.Code.AGENT_TIMEOUT) {
                vm.unresponsive("no pong within " + probeTimeout.toMillis() + " ms (probe " + why
                        + "): the agent is dead or stopped, or the guest hung");
            }
        });
    }

    /**
     * A request waits: probe now if the agent has been silent for {@link #PROBE_AFTER}, else look
     * again then. One check at a time, re-armed while requests wait.
     */
    void watch() {
        if (check != null || probeInFlight || !vm.isReady()) {
            return;
        }
        long silentNanos = System.nanoTime() - vm.lastHeardNanos();
        if (silentNanos >= PROBE_AFTER.toNanos()) {
            probe("a request waits and nothing came from the agent for " + silentNanos / 1_000_000 + " ms");
            return;
        }
        check = loop.schedule(PROBE_AFTER, () -> {
            check = null;
            if (vm.waiting() > 0) {
                watch();
            }
        });
    }

    /** Stops watching (unresponsive, disconnected, removed); a probe in flight ends with the requests. */
    void stop() {
        if (check != null) {
            check.cancel();
            check = null;
        }
    }
}
