package io.qtx.node;

import io.qtx.proto.Memory;
import io.qtx.proto.TelemetryReport;

/**
 * The checks a decoded guest message passes before qx-node keeps it, beyond the structural
 * bounds already checked on the wire ({@link GuestLimits#guestWireLimits()}): numbers that
 * mean something (finite, not negative, percentages within 0..100, memory parts within the
 * total) and the encoded size. What fails is refused whole and counted, never half kept.
 */
final class GuestMessages {

    private GuestMessages() {
    }

    /** Null when {@code r} may be kept, else why not. */
    static String checkTelemetry(TelemetryReport r, int maxBytes) {
        int size = r.getSerializedSize();
        if (size > maxBytes) {
            return "telemetry report of " + size + " bytes > " + maxBytes;
        }
        if (!fraction(r.getCpuPercent(), 100.5)) {
            return "cpu_percent " + r.getCpuPercent() + " not within 0..100";
        }
        if (!fraction(r.getLoad1M(), 1e6) || !fraction(r.getLoad5M(), 1e6) || !fraction(r.getLoad15M(), 1e6)) {
            return "load averages not finite and non-negative";
        }
        if (r.getCollectedUnixMs() < 0 || r.getUptimeMs() < 0) {
            return "negative time";
        }
        Memory m = r.getMemory();
        long total = m.getTotalBytes();
        if (Long.compareUnsigned(m.getAvailableBytes(), total) > 0 || Long.compareUnsigned(m.getUsedBytes(), total) > 0
                || Long.compareUnsigned(m.getFreeBytes(), total) > 0) {
            return "memory parts larger than the total";
        }
        for (var fs : r.getFilesystemsList()) {
            if (Long.compareUnsigned(fs.getUsedBytes(), fs.getTotalBytes()) > 0
                    || Long.compareUnsigned(fs.getAvailableBytes(), fs.getTotalBytes()) > 0) {
                return "filesystem " + GuestText.safe(fs.getMountpoint(), 64) + ": parts larger than the total";
            }
        }
        return null;
    }

    private static boolean fraction(double v, double max) {
        return Double.isFinite(v) && v >= 0 && v <= max;
    }
}
