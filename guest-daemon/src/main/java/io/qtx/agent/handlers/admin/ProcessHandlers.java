package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.Refusal;
import io.qtx.agent.telemetry.KernelFiles;
import io.qtx.ffi.AdminCalls;
import io.qtx.proto.Done;
import io.qtx.proto.Process;
import io.qtx.proto.ProcessList;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/** Listing processes from /proc, and signalling one (never pid 1, never the agent). */
public final class ProcessHandlers {

    /** USER_HZ: the unit of /proc/PID/stat times; 100 on every architecture Linux runs KVM guests on. */
    static final int CLOCK_TICKS = 100;

    private ProcessHandlers() {
    }

    public static RequestHandler list(KernelFiles files, Users users) {
        return new RequestHandler() {
            @Override
            public RequestKind kind() {
                return RequestKind.REQUEST_KIND_LIST_PROCESSES;
            }

            @Override
            public boolean blocking() {
                return true;
            }

            @Override
            public Response handle(Request request, RequestContext context) {
                return Response.newBuilder().setListProcesses(read(files, users, context.maxResponseBytes())).build();
            }
        };
    }

    static ProcessList read(KernelFiles files, Users users, int budget) {
        Map<Integer, String> names = users.users();
        long bootMs = bootUnixMs(files);
        long uptimeMs = Math.round(Double.parseDouble(files.line("/proc/uptime").split("\\s+")[0]) * 1000);
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(files.path("/proc"))) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (n.chars().allMatch(Character::isDigit)) {
                    pids.add(Integer.parseInt(n));
                }
            }
        } catch (IOException e) {
            return ProcessList.getDefaultInstance();
        }
        pids.sort(null);
        ProcessList.Builder out = ProcessList.newBuilder();
        int left = budget - 64;
        for (int pid : pids) {
            Process p = one(files, pid, names, bootMs, uptimeMs);
            if (p == null) {
                continue; // exited while we looked
            }
            left -= p.getSerializedSize() + 4;
            if (left < 0) {
                break;
            }
            out.addProcesses(p);
        }
        return out.build();
    }

    private static Process one(KernelFiles files, int pid, Map<Integer, String> names, long bootMs, long uptimeMs) {
        String stat = files.read("/proc/" + pid + "/stat");
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < 0) {
            return null;
        }
        // The name may hold spaces and parentheses; the fields after the last ')' are plain.
        String[] f = stat.substring(close + 2).trim().split("\\s+");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long startMs = Long.parseLong(f[19]) * 1000 / CLOCK_TICKS;
        long aliveMs = Math.max(1, uptimeMs - startMs);
        int uid = -1;
        long rssKb = 0;
        for (String line : files.read("/proc/" + pid + "/status").split("\n")) {
            if (line.startsWith("Uid:")) {
                uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            } else if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        List<String> cmdline = new ArrayList<>();
        for (String arg : files.read("/proc/" + pid + "/cmdline").split("\0")) {
            if (!arg.isEmpty()) {
                cmdline.add(arg);
            }
        }
        return Process.newBuilder()
                .setPid(pid)
                .setPpid(Integer.parseInt(f[1]))
                .setName(stat.substring(open + 1, close))
                .addAllCmdline(cmdline)
                .setUser(names.getOrDefault(uid, uid < 0 ? "" : Integer.toString(uid)))
                .setState(f[0])
                .setRssBytes(rssKb * 1024)
                // Over the process's life, as ps(1) shows it.
                .setCpuPercent(100.0 * (ticks * 1000.0 / CLOCK_TICKS) / aliveMs)
                .setStartedUnixMs(bootMs + startMs)
                .build();
    }

    private static long bootUnixMs(KernelFiles files) {
        for (String line : files.read("/proc/stat").split("\n")) {
            if (line.startsWith("btime ")) {
                return Long.parseLong(line.substring(6).trim()) * 1000;
            }
        }
        return 0;
    }

    public static RequestHandler signal() {
        return new RequestHandler() {
            @Override
            public RequestKind kind() {
                return RequestKind.REQUEST_KIND_SIGNAL_PROCESS;
            }

            @Override
            public boolean blocking() {
                return false;
            }

            @Override
            public String summary(Request request) {
                return "pid=" + request.getSignalProcess().getPid() + " signal=" + request.getSignalProcess().getSignal();
            }

            @Override
            public Response handle(Request request, RequestContext context) throws Refusal, IOException {
                long pid = Integer.toUnsignedLong(request.getSignalProcess().getPid());
                int signal = request.getSignalProcess().getSignal();
                if (pid <= 1 || pid > Integer.MAX_VALUE) {
                    throw Refusal.notAllowed("pid " + pid + ": init, process groups and broadcasts are never signalled");
                }
                if (pid == AdminCalls.getpid()) {
                    throw Refusal.notAllowed("pid " + pid + " is the agent itself");
                }
                if (signal < 1 || signal > 64) {
                    throw Refusal.badArgument("signal " + signal + " is not 1..64");
                }
                AdminCalls.kill((int) pid, signal);
                return Response.newBuilder().setDone(Done.getDefaultInstance()).build();
            }
        };
    }
}
