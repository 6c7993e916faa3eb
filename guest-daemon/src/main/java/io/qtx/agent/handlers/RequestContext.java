package io.qtx.agent.handlers;

import java.util.ArrayList;
import java.util.List;

/**
 * What a handler may know about the request it runs: the largest response the host accepts,
 * the request's deadline, and a place to leave work that must wait until the reply is sent
 * (a reboot must not beat its own answer out of the machine).
 *
 * @param maxResponseBytes the host's max_payload_bytes, less room for the envelope
 * @param deadlineNanos the request's deadline on System.nanoTime()'s clock
 */
public final class RequestContext {

    private final int maxResponseBytes;
    private final long deadlineNanos;
    private final List<Runnable> afterReply = new ArrayList<>(1);

    public RequestContext(int maxResponseBytes, long deadlineNanos) {
        this.maxResponseBytes = maxResponseBytes;
        this.deadlineNanos = deadlineNanos;
    }

    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Runs {@code action} on the event loop once the response has been queued for the host. */
    public synchronized void afterReply(Runnable action) {
        afterReply.add(action);
    }

    /** The actions left by the handler, once; the dispatcher runs them after replying. */
    public synchronized List<Runnable> takeAfterReply() {
        List<Runnable> out = List.copyOf(afterReply);
        afterReply.clear();
        return out;
    }
}
