package io.qtx.agent.telemetry;

/**
 * Whole-machine CPU busy percentage from the deltas of the "cpu" line of /proc/stat between
 * two calls. A single snapshot cannot give a rate (that mistake reads 0 for ever); the first
 * call measures from the moment the sampler was made.
 */
public final class CpuSampler {

    private final KernelFiles files;
    private long lastBusy;
    private long lastTotal;

    public CpuSampler(KernelFiles files) {
        this.files = files;
        long[] t = ticks(files.read("/proc/stat"));
        lastBusy = t[0];
        lastTotal = t[1];
    }

    /** Busy time since the previous call, 0..100 over all cores together. */
    public synchronized double sample() {
        long[] t = ticks(files.read("/proc/stat"));
        long busy = t[0] - lastBusy;
        long total = t[1] - lastTotal;
        lastBusy = t[0];
        lastTotal = t[1];
        if (total <= 0) {
            return 0;
        }
        return Math.max(0, Math.min(100, 100.0 * busy / total));
    }

    /**
     * {busy, total} ticks of the aggregate line. Fields: user nice system idle iowait irq
     * softirq steal guest guest_nice; idle and iowait are not busy, and guest time is
     * already inside user and nice, so it is not added again.
     */
    static long[] ticks(String stat) {
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                long idle = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 4 || i == 5) {
                        idle += v;
                    }
                }
                return new long[] {total - idle, total};
            }
        }
        return new long[] {0, 0};
    }
}
