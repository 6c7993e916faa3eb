package io.qtx.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time of the thread that reads and frames, with the frames it handled in that time. On
 * this shared machine wall-clock throughput swings with the other builds while a thread's own
 * CPU time per frame moves far less, so cpuNanos / cpuFrames is the figure to compare
 * transports by. JMH adds EVENTS counters over the iterations; the ratio is unaffected.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class FramingCpu {
    /** CPU nanoseconds of the framing thread since the iteration's first operation ended. */
    public long cpuNanos;
    /** Frames handled in those nanoseconds. */
    public long cpuFrames;
    private long startCpu = -1;

    @Setup(Level.Iteration)
    public void clear() {
        cpuNanos = 0;
        cpuFrames = 0;
        startCpu = -1;
    }

    /**
     * {@code nowCpu}: the framing thread's CPU clock after an operation of {@code frames}
     * frames (negative where the transport gives none); the first operation only sets the start.
     */
    void add(long nowCpu, long frames) {
        if (nowCpu < 0) {
            return;
        }
        if (startCpu >= 0) {
            cpuNanos = nowCpu - startCpu;
            cpuFrames += frames;
        } else {
            startCpu = nowCpu;
        }
    }
}
