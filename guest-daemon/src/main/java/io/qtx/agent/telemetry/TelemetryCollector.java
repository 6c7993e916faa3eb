package io.qtx.agent.telemetry;

import java.util.function.Supplier;

import io.qtx.proto.AgentCounters;
import io.qtx.proto.TelemetryReport;

/** One telemetry report from the kernel's figures and the agent's own counters. */
public final class TelemetryCollector {

    private final CpuSampler cpu;
    private final MemoryReader memory;
    private final SystemReader system;
    private final FilesystemReader filesystems;
    private final InterfaceReader interfaces;
    private final Supplier<AgentCounters> counters;

    public TelemetryCollector(KernelFiles files, boolean jdkIpv4, Supplier<AgentCounters> counters) {
        this.cpu = new CpuSampler(files);
        this.memory = new MemoryReader(files);
        this.system = new SystemReader(files);
        this.filesystems = new FilesystemReader(files);
        this.interfaces = new InterfaceReader(files, jdkIpv4);
        this.counters = counters;
    }

    public static TelemetryCollector system(Supplier<AgentCounters> counters) {
        return new TelemetryCollector(KernelFiles.system(), true, counters);
    }

    /** Reads everything; may block on a hung network filesystem, so call it off the loop. */
    public TelemetryReport collect() {
        double[] load = system.load();
        return TelemetryReport.newBuilder()
                .setCollectedUnixMs(System.currentTimeMillis())
                .setCpuPercent(cpu.sample())
                .setMemory(memory.read())
                .setLoad1M(load[0])
                .setLoad5M(load[1])
                .setLoad15M(load[2])
                .setUptimeMs(system.uptimeMillis())
                .setProcessCount(system.processCount())
                .addAllFilesystems(filesystems.read())
                .addAllInterfaces(interfaces.read())
                .setHostname(system.hostname())
                .setAgent(counters.get())
                .build();
    }
}
