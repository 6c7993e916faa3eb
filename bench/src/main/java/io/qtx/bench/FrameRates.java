package io.qtx.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Per-second rates the framing benchmarks report beside their score: frames and payload bytes. */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class FrameRates {
    public long frames;
    public long payloadBytes;

    @Setup(Level.Iteration)
    public void clear() {
        frames = 0;
        payloadBytes = 0;
    }

    void add(long frameCount, int payload) {
        frames += frameCount;
        payloadBytes += frameCount * payload;
    }
}
