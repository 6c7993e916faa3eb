package io.qtx.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.qtx.session.Session;

/**
 * What {@link Liveness} sees of one VM, made of its {@link VmConnection}'s parts: the probe is
 * a {@link RequestKind#PROBE} ping, its pong and its silence go back to the connection.
 *
 * @param session the current session, or null when not connected
 * @param lastHeard System.nanoTime() of the last envelope from the agent
 * @param answered a probe's pong came back, with its round trip in nanoseconds
 * @param unresponsive no pong within the bound, and why
 */
record ProbedVm(Supplier<Session> session, VmStateLog log, AgentCalls calls, RequestTracker requests,
                LongSupplier lastHeard, LongConsumer answered, Consumer<String> unresponsive) implements Liveness.Vm {

    @Override
    public boolean canProbe() {
        Session s = session.get();
        return s != null && s.isReady();
    }

    @Override
    public boolean isReady() {
        return log.state() == VmState.READY;
    }

    @Override
    public CompletableFuture<Long> ping(Duration timeout) {
        return calls.ping(RequestKind.PROBE, timeout).thenApply(RequestTracker.Answer::rttNanos);
    }

    @Override
    public void answered(long rttNanos) {
        answered.accept(rttNanos);
    }

    @Override
    public void unresponsive(String why) {
        unresponsive.accept(why);
    }

    @Override
    public int waiting() {
        return requests.size();
    }

    @Override
    public long lastHeardNanos() {
        return lastHeard.getAsLong();
    }
}
