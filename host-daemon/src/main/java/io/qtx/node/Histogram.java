package io.qtx.node;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A fixed-bucket histogram of durations in seconds, as Prometheus wants one: cumulative counts
 * per upper bound, a sum and a count. Written on one thread (the loop), read on any (a scrape):
 * each cell is atomic, so a reader may see one observation in the count and not yet in a bucket,
 * never a torn value; the next scrape is exact again.
 */
public final class Histogram {

    /** From half a millisecond (a local round trip) to 30 s (past every request deadline). */
    public static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10, 30};

    private final double[] bounds;
    /** Non-cumulative: observations in (bounds[i-1], bounds[i]]; the last cell is +Inf. */
    private final AtomicLongArray cells;
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double[] bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("bounds must increase: " + bounds[i - 1] + ", " + bounds[i]);
            }
        }
        this.bounds = bounds.clone();
        this.cells = new AtomicLongArray(bounds.length + 1);
    }

    public void observeNanos(long nanos) {
        observe(nanos / 1e9);
    }

    public void observe(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) {
            i++;
        }
        cells.incrementAndGet(i);
        sum.add(seconds);
    }

    /** Upper bounds, without +Inf. */
    public double[] bounds() {
        return bounds.clone();
    }

    /** Cumulative counts per bound, then the +Inf count (which is the total count). */
    public long[] cumulative() {
        long[] out = new long[cells.length()];
        long running = 0;
        for (int i = 0; i < out.length; i++) {
            running += cells.get(i);
            out[i] = running;
        }
        return out;
    }

    public double sum() {
        return sum.sum();
    }
}
