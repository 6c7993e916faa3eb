package io.qtx.agent.telemetry;

import java.util.HashMap;
import java.util.Map;

import io.qtx.proto.Memory;

/** Memory and swap from /proc/meminfo, in bytes, with the meanings free(1) gives them. */
public final class MemoryReader {

    private final KernelFiles files;

    public MemoryReader(KernelFiles files) {
        this.files = files;
    }

    public Memory read() {
        Map<String, Long> kb = parse(files.read("/proc/meminfo"));
        long total = kb.getOrDefault("MemTotal", 0L);
        long free = kb.getOrDefault("MemFree", 0L);
        long buffers = kb.getOrDefault("Buffers", 0L);
        // free(1) counts reclaimable slab as cache: it is given back under pressure.
        long cached = kb.getOrDefault("Cached", 0L) + kb.getOrDefault("SReclaimable", 0L);
        // As free(1) since procps-ng 4: used is what cannot be had back, total minus available.
        // Kernels before 3.14 have no MemAvailable; there the old sum is the best estimate.
        Long available = kb.get("MemAvailable");
        long used = available != null ? total - available : Math.max(0, total - free - buffers - cached);
        return Memory.newBuilder()
                .setTotalBytes(total * 1024)
                .setAvailableBytes((available != null ? available : total - used) * 1024)
                .setUsedBytes(used * 1024)
                .setFreeBytes(free * 1024)
                .setBuffersBytes(buffers * 1024)
                .setCachedBytes(cached * 1024)
                .setSwapTotalBytes(kb.getOrDefault("SwapTotal", 0L) * 1024)
                .setSwapFreeBytes(kb.getOrDefault("SwapFree", 0L) * 1024)
                .build();
    }

    /** "Key:   123 kB" lines to kilobytes by key. */
    static Map<String, Long> parse(String meminfo) {
        Map<String, Long> out = new HashMap<>();
        for (String line : meminfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            try {
                out.put(line.substring(0, colon), Long.parseLong(f[0]));
            } catch (NumberFormatException e) {
                // not a number line; meminfo has none today
            }
        }
        return out;
    }
}
