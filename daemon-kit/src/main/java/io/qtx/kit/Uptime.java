package io.qtx.kit;

import io.qtx.proto.AgentCounters;
import io.qtx.proto.Pong;

/** Time since the daemon started, and the pong that carries it with the daemon's counters. */
public final class Uptime {

    private final long startedNanos = System.nanoTime();

    public long millis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** A pong: this uptime and {@code counters}. */
    public Pong pong(AgentCounters.Builder counters) {
        return Pong.newBuilder().setUptimeMs(millis()).setCounters(counters).build();
    }
}
