package io.qtx.node;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;
import io.qtx.proto.Envelope;

/**
 * Requests of one connection waiting for their answers, by envelope id. Each has a deadline on
 * a loop timer (no thread per request); an answer completes it by {@code reply_to}; a timeout
 * fails it and tells the owner, who re-syncs the session; a disconnect fails all at once.
 * Loop thread only.
 */
final class RequestTracker {

    /** What a completed request carries: the answer and how long it took. */
    record Answer(Envelope envelope, long rttNanos) {
    }

    private record Pending(CompletableFuture<Answer> future, Timer deadline, long sentNanos, RequestKind what) {
    }

    private final EventLoop loop;
    private final String vm;
    private final Consumer<RequestKind> onTimeout;
    private final Map<Long, Pending> pending = new HashMap<>();
    private long timeouts;
    private long unmatched;
    private final RequestLatency latency = new RequestLatency();

    /** {@code onTimeout} gets the kind of the request that timed out. */
    RequestTracker(EventLoop loop, String vm, Consumer<RequestKind> onTimeout) {
        this.loop = loop;
        this.vm = vm;
        this.onTimeout = onTimeout;
    }

    /** Starts waiting for the answer to envelope {@code id}, at most {@code timeout}. */
    CompletableFuture<Answer> track(long id, RequestKind what, Duration timeout) {
        CompletableFuture<Answer> future = new CompletableFuture<>();
        Timer deadline = loop.schedule(timeout, () -> expire(id));
        pending.put(id, new Pending(future, deadline, System.nanoTime(), what));
        return future;
    }

    private void expire(long id) {
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        timeouts++;
        latency.observe(p.what.name(), RequestLatency.Outcome.TIMEOUT, System.nanoTime() - p.sentNanos);
        long waited = (System.nanoTime() - p.sentNanos) / 1_000_000;
        p.future.completeExceptionally(new NodeException(NodeException.Code.AGENT_TIMEOUT,
                vm + ": " + p.what + " got no answer within " + waited + " ms"));
        onTimeout.accept(p.what);
    }

    /** Completes the request {@code envelope} answers; false when none waits for it (late or foreign). */
    boolean complete(Envelope envelope) {
        Pending p = pending.remove(envelope.getReplyTo());
        if (p == null) {
            unmatched++;
            return false;
        }
        p.deadline.cancel();
        long rtt = System.nanoTime() - p.sentNanos;
        latency.observe(p.what.name(), RequestLatency.Outcome.ANSWERED, rtt);
        p.future.complete(new Answer(envelope, rtt));
        return true;
    }

    /** Fails every waiting request with {@code cause}, at once. */
    void failAll(NodeException cause) {
        if (pending.isEmpty()) {
            return;
        }
        var waiting = pending.values().toArray(Pending[]::new);
        pending.clear();
        long now = System.nanoTime();
        for (Pending p : waiting) {
            latency.observe(p.what.name(), RequestLatency.Outcome.FAILED, now - p.sentNanos);
            p.deadline.cancel();
            p.future.completeExceptionally(cause);
        }
    }

    /** Durations of every request this VM's connections tracked; readable from any thread. */
    RequestLatency latency() {
        return latency;
    }

    int size() {
        return pending.size();
    }

    long timeouts() {
        return timeouts;
    }

    /** Answers that matched no waiting request: late after a timeout, or stale. */
    long unmatched() {
        return unmatched;
    }
}
