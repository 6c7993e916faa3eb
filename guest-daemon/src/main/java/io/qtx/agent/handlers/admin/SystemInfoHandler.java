package io.qtx.agent.handlers.admin;

import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.telemetry.KernelFiles;
import io.qtx.agent.telemetry.MemoryReader;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;
import io.qtx.proto.SystemInfo;

/** What the guest is: OS from os-release, kernel, architecture, CPUs, memory, ids, agent version. */
public final class SystemInfoHandler implements RequestHandler {

    private final KernelFiles files;
    private final String agentVersion;

    public SystemInfoHandler(KernelFiles files, String agentVersion) {
        this.files = files;
        this.agentVersion = agentVersion;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_SYSTEM_INFO;
    }

    @Override
    public boolean blocking() {
        return false;
    }

    @Override
    public Response handle(Request request, RequestContext context) {
        return Response.newBuilder().setSystemInfo(read()).build();
    }

    public SystemInfo read() {
        Map<String, String> os = osRelease();
        long uptimeMs = Math.round(Double.parseDouble(files.line("/proc/uptime").split("\\s+")[0]) * 1000);
        return SystemInfo.newBuilder()
                .setHostname(files.line("/proc/sys/kernel/hostname"))
                .setOsName(os.getOrDefault("PRETTY_NAME", os.getOrDefault("NAME", "Linux")))
                .setOsId(os.getOrDefault("ID", "linux"))
                .setOsVersion(os.getOrDefault("VERSION_ID", ""))
                .setKernelRelease(files.line("/proc/sys/kernel/osrelease"))
                .setArchitecture(architecture())
                .setCpuCount(cpuCount())
                .setCpuModel(cpuModel())
                .setMemoryTotalBytes(new MemoryReader(files).read().getTotalBytes())
                .setMachineId(files.line("/etc/machine-id"))
                .setBootId(files.line("/proc/sys/kernel/random/boot_id"))
                .setBootUnixMs(System.currentTimeMillis() - uptimeMs)
                .setTimezone(ZoneId.systemDefault().getId())
                .setAgentVersion(agentVersion)
                .build();
    }

    /** /etc/os-release, else /usr/lib/os-release (os-release(5)); quotes removed. */
    Map<String, String> osRelease() {
        String text = files.read("/etc/os-release");
        if (text.isEmpty()) {
            text = files.read("/usr/lib/os-release");
        }
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                String v = line.substring(eq + 1).strip();
                if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.endsWith(v.substring(0, 1))) {
                    v = v.substring(1, v.length() - 1);
                }
                out.put(line.substring(0, eq).strip(), v);
            }
        }
        return out;
    }

    /** uname -m: the JDK's os.arch in the kernel's spelling. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "x86" -> "i686";
            default -> arch; // aarch64, riscv64, ppc64le, s390x are spelled alike
        };
    }

    /** The first processor's model as /proc/cpuinfo names it ("model name" on x86, "Model" or "cpu model" elsewhere). */
    String cpuModel() {
        for (String line : files.read("/proc/cpuinfo").split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            if (key.equals("model name") || key.equals("Model") || key.equals("cpu model")) {
                return line.substring(colon + 1).strip();
            }
        }
        return "";
    }

    /** CPUs the kernel brought up (/sys/devices/system/cpu/online), not this process's cgroup share. */
    int cpuCount() {
        String online = files.line("/sys/devices/system/cpu/online");
        int n = 0;
        for (String range : online.split(",")) {
            if (range.isEmpty()) {
                continue;
            }
            String[] ends = range.split("-");
            n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        return n > 0 ? n : Runtime.getRuntime().availableProcessors();
    }
}
