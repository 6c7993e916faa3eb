package io.qtx.node;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * How long a VM's requests took, by kind and outcome, and the round trip of its answered pings.
 * Kinds come from qx-node's own code (a request's proto case, or the ping's purpose), never from
 * the guest, so the label set stays small. Written on the loop, read by scrapes.
 */
public final class RequestLatency {

    /** How a tracked request ended. */
    public enum Outcome {
        /** An answer came (which may itself be the agent's error). */
        ANSWERED,
        /** No answer by the deadline. */
        TIMEOUT,
        /** Failed before its deadline: disconnect, re-sync, agent restart, quarantine. */
        FAILED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Histogram key: kind and outcome. */
    public record Key(String kind, Outcome outcome) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int k = kind.compareTo(o.kind);
            return k != 0 ? k : outcome.compareTo(o.outcome);
        }
    }

    private final Map<Key, Histogram> byKind = new ConcurrentSkipListMap<>();
    private final Histogram pingRtt = new Histogram(Histogram.LATENCY_BOUNDS);

    /** {@code what} as RequestTracker names it: "exec request", "heartbeat ping", "ping"... */
    void observe(String what, Outcome outcome, long nanos) {
        String kind = kind(what);
        byKind.computeIfAbsent(new Key(kind, outcome), k -> new Histogram(Histogram.LATENCY_BOUNDS)).observeNanos(nanos);
        if (outcome == Outcome.ANSWERED && kind.endsWith("ping")) {
            pingRtt.observeNanos(nanos);
        }
    }

    /** "exec request" is "exec", "heartbeat ping" is "heartbeat_ping": a label value of [a-z0-9_]. */
    static String kind(String what) {
        String k = what.endsWith(" request") ? what.substring(0, what.length() - " request".length()) : what;
        return k.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }

    /** Sorted by kind, then outcome. */
    public Map<Key, Histogram> requests() {
        return byKind;
    }

    /** Every answered ping: the API's, the heartbeat's and the liveness probe's. */
    public Histogram pingRtt() {
        return pingRtt;
    }
}
