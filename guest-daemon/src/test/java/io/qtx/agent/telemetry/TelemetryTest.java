package io.qtx.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.qtx.proto.AgentCounters;
import io.qtx.proto.Filesystem;
import io.qtx.proto.Memory;
import io.qtx.proto.NetInterface;
import io.qtx.proto.TelemetryReport;

/** Each figure against what a system tool says at (nearly) the same moment. */
class TelemetryTest {

    private static final KernelFiles SYS = KernelFiles.system();

    @Test
    void memoryMatchesFree() throws Exception {
        // Others run on this machine: read before and after free(1) and expect its figure in between.
        Memory before = new MemoryReader(SYS).read();
        String[] mem = null;
        String[] swap = null;
        for (String line : Commands.run("free", "-b").split("\n")) {
            if (line.startsWith("Mem:")) {
                mem = line.trim().split("\\s+");
            } else if (line.startsWith("Swap:")) {
                swap = line.trim().split("\\s+");
            }
        }
        Memory after = new MemoryReader(SYS).read();
        // free -b: Mem: total used free shared buff/cache available
        assertEquals(Long.parseLong(mem[1]), before.getTotalBytes());
        assertBetween(Long.parseLong(mem[6]), before.getAvailableBytes(), after.getAvailableBytes());
        assertBetween(Long.parseLong(mem[5]), before.getBuffersBytes() + before.getCachedBytes(),
                after.getBuffersBytes() + after.getCachedBytes());
        assertBetween(Long.parseLong(mem[2]), before.getUsedBytes(), after.getUsedBytes());
        assertBetween(Long.parseLong(mem[3]), before.getFreeBytes(), after.getFreeBytes());
        assertEquals(Long.parseLong(swap[1]), before.getSwapTotalBytes());
        assertBetween(Long.parseLong(swap[3]), before.getSwapFreeBytes(), after.getSwapFreeBytes());
    }

    /** {@code witness} lies between two of our readings, give or take 4 MiB of rounding and churn. */
    private static void assertBetween(long witness, long a, long b) {
        long slack = 4L << 20;
        assertTrue(witness >= Math.min(a, b) - slack && witness <= Math.max(a, b) + slack,
                "witness " + witness + " outside [" + a + ", " + b + "]");
    }

    @Test
    void rootFilesystemMatchesDf() throws Exception {
        List<Filesystem> all = new FilesystemReader(SYS).read();
        Filesystem root = all.stream().filter(f -> f.getMountpoint().equals("/")).findFirst().orElseThrow();
        String[] df = Commands.run("df", "-B1", "--output=size,used,avail,itotal,iused", "/").split("\n")[1]
                .trim().split("\\s+");
        assertEquals(Long.parseLong(df[0]), root.getTotalBytes());
        long slack = 64L << 20;
        assertEquals(Long.parseLong(df[1]), root.getUsedBytes(), slack);
        assertEquals(Long.parseLong(df[2]), root.getAvailableBytes(), slack);
        assertEquals(Long.parseLong(df[3]), root.getInodesTotal());
        assertEquals(Long.parseLong(df[4]), root.getInodesUsed(), 10_000);
        Set<String> points = new HashSet<>();
        all.forEach(f -> points.add(f.getMountpoint()));
        for (String pseudo : new String[] {"/proc", "/sys", "/dev", "/dev/shm", "/dev/pts", "/sys/fs/cgroup"}) {
            assertFalse(points.contains(pseudo), pseudo + " is a pseudo filesystem");
        }
    }

    @Test
    void interfacesMatchIp() throws Exception {
        Map<String, NetInterface> ours = new HashMap<>();
        new InterfaceReader(SYS, true).read().forEach(i -> ours.put(i.getName(), i));
        Map<String, Set<String>> v4 = new HashMap<>();
        Map<String, Set<String>> v6 = new HashMap<>();
        for (String line : Commands.run("ip", "-o", "addr").split("\n")) {
            String[] f = line.trim().split("\\s+");
            (f[2].equals("inet") ? v4 : v6).computeIfAbsent(f[1], k -> new TreeSet<>()).add(f[3]);
        }
        for (String line : Commands.run("ip", "-o", "link").split("\n")) {
            String[] f = line.trim().split("\\s+");
            String name = f[1].substring(0, f[1].length() - 1).replaceAll("@.*", "");
            NetInterface n = ours.get(name);
            assertTrue(n != null, "ip lists " + name);
            for (int i = 0; i < f.length - 1; i++) {
                if (f[i].equals("mtu")) {
                    assertEquals(Integer.parseInt(f[i + 1]), n.getMtu(), name);
                }
                if (f[i].equals("link/ether")) {
                    assertEquals(f[i + 1], n.getMac(), name);
                }
            }
            assertEquals(v4.getOrDefault(name, Set.of()), new TreeSet<>(n.getIpv4List()), name + " ipv4");
            assertEquals(v6.getOrDefault(name, Set.of()), new TreeSet<>(n.getIpv6List()), name + " ipv6");
        }
        assertEquals(ours.size(), Commands.run("ip", "-o", "link").trim().split("\n").length);
        NetInterface lo = ours.get("lo");
        long rx = Long.parseLong(Commands.run("cat", "/sys/class/net/lo/statistics/rx_bytes").trim());
        assertTrue(lo.getRxBytes() <= rx, "counters only grow");
    }

    @Test
    void loadUptimeProcessesAndHostnameMatchTheSystem() throws Exception {
        SystemReader s = new SystemReader(SYS);
        double jdkLoad = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        assertEquals(jdkLoad, s.load()[0], 1.0);
        // CLOCK_MONOTONIC (System.nanoTime) counts from boot like /proc/uptime, minus suspend.
        assertEquals(System.nanoTime() / 1_000_000, s.uptimeMillis(), 2_000);
        int ps = Commands.run("ps", "-e", "--no-headers", "-o", "pid").trim().split("\n").length;
        assertEquals(ps, s.processCount(), 10);
        assertEquals(Commands.run("hostname").trim(), s.hostname());
    }

    @Test
    void cpuPercentSeesABusyThread() throws Exception {
        CpuSampler cpu = new CpuSampler(SYS);
        long end = System.nanoTime() + 400_000_000L;
        long x = 0;
        while (System.nanoTime() < end) {
            x += System.nanoTime() % 7;
        }
        double busy = cpu.sample();
        int cores = Runtime.getRuntime().availableProcessors();
        // One spinning thread out of N cores: at least a good part of 100/N, whatever else runs.
        assertTrue(busy >= 50.0 / cores, "busy=" + busy + " x=" + x);
        assertTrue(busy <= 100.0);
    }

    @Test
    void cpuPercentFromStatDeltas() {
        long[] first = CpuSampler.ticks("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n");
        assertEquals(150, first[0]);
        assertEquals(1000, first[1]);
        long[] guestNotCountedTwice = CpuSampler.ticks("cpu  100 0 0 100 0 0 0 0 40 0\n");
        assertEquals(200, guestNotCountedTwice[1]);
    }

    @Test
    void fullReportCarriesEverySection() {
        TelemetryReport r = TelemetryCollector.system(() -> AgentCounters.newBuilder().setFramesSent(7).build())
                .collect();
        assertTrue(r.getMemory().getTotalBytes() > 0);
        assertTrue(r.getFilesystemsCount() > 0);
        assertTrue(r.getInterfacesCount() > 0);
        assertTrue(r.getProcessCount() > 0);
        assertEquals(7, r.getAgent().getFramesSent());
        assertFalse(r.getHostname().isEmpty());
    }

    @Test
    void mountFieldsAreUnescapedAndIpv6Compressed() {
        assertEquals("/mnt/my disk\\x", FilesystemReader.unescape("/mnt/my\\040disk\\134x"));
        assertEquals("fe80::fc:ff:fe00:1", Ipv6Text.compress("fe80:0:0:0:fc:ff:fe00:1"));
        assertEquals("::1", Ipv6Text.compress("0:0:0:0:0:0:0:1"));
        assertEquals("fd00::2", Ipv6Text.compress("fd00:0:0:0:0:0:0:2"));
        assertEquals("1:0:2::3", Ipv6Text.compress("1:0:2:0:0:0:0:3"));
        assertEquals("::", Ipv6Text.compress("0:0:0:0:0:0:0:0"));
    }
}
