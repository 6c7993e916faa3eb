package io.qtx.agent.handlers.admin;

import static io.qtx.agent.handlers.Requests.context;
import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.qtx.agent.handlers.Errors;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.Refusal;
import io.qtx.agent.telemetry.KernelFiles;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.ListProcessesRequest;
import io.qtx.proto.ProcessList;
import io.qtx.proto.SignalProcessRequest;
import io.qtx.proto.SystemInfo;
import io.qtx.proto.SystemInfoRequest;

class ProcessAndInfoTest {

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    @Test
    void listShowsThisJvmAsPsDoes() throws Exception {
        ProcessList list = ProcessHandlers.list(KernelFiles.system(), Users.system()).handle(
                request().setListProcesses(ListProcessesRequest.getDefaultInstance()).build(), context())
                .getListProcesses();
        long self = ProcessHandle.current().pid();
        var me = list.getProcessesList().stream().filter(p -> p.getPid() == self).findFirst().orElseThrow();
        String[] ps = run("ps", "-o", "ppid=,user=,comm=", "-p", Long.toString(self)).split("\\s+");
        assertEquals(Integer.parseInt(ps[0]), me.getPpid());
        assertEquals(ps[1], me.getUser());
        assertEquals(ps[2], me.getName());
        assertTrue(me.getCmdlineList().get(0).endsWith("java"), me.getCmdlineList().toString());
        assertTrue(me.getRssBytes() > 10 << 20);
        long startedAgo = System.currentTimeMillis() - me.getStartedUnixMs();
        long jvmUp = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        assertEquals(jvmUp, startedAgo, 2000);
    }

    @Test
    void signalKillsAChildButNeverInitOrTheAgent() throws Exception {
        RequestHandler signal = ProcessHandlers.signal();
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        signal.handle(request().setSignalProcess(SignalProcessRequest.newBuilder().setPid((int) sleeper.pid())
                .setSignal(15)).build(), context());
        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        assertEquals(128 + 15, sleeper.exitValue());
        for (long pid : new long[] {1, 0, ProcessHandle.current().pid(), -5}) {
            Refusal r = assertThrows(Refusal.class, () -> signal.handle(request().setSignalProcess(
                    SignalProcessRequest.newBuilder().setPid((int) pid).setSignal(9)).build(), context()));
            assertEquals(ErrorCode.ERROR_CODE_NOT_ALLOWED, r.code(), "pid " + pid);
        }
        Refusal badSignal = assertThrows(Refusal.class, () -> signal.handle(request().setSignalProcess(
                SignalProcessRequest.newBuilder().setPid(4_000_001).setSignal(99)).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, badSignal.code());
        IOException gone = assertThrows(IOException.class, () -> signal.handle(request().setSignalProcess(
                SignalProcessRequest.newBuilder().setPid(4_000_000).setSignal(15)).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, Errors.of(gone).getError().getCode());
    }

    @Test
    void systemInfoMatchesUname() throws Exception {
        SystemInfo info = new SystemInfoHandler(KernelFiles.system(), "9.9.9").handle(
                request().setSystemInfo(SystemInfoRequest.getDefaultInstance()).build(), context()).getSystemInfo();
        assertEquals(run("uname", "-r"), info.getKernelRelease());
        assertEquals(run("uname", "-m"), info.getArchitecture());
        assertEquals(run("hostname"), info.getHostname());
        assertEquals(Integer.parseInt(run("nproc", "--all")), info.getCpuCount());
        String modelLine = run("sh", "-c", "grep -m1 '^model name' /proc/cpuinfo || true");
        if (!modelLine.isEmpty()) {
            assertEquals(modelLine.substring(modelLine.indexOf(':') + 1).strip(), info.getCpuModel());
        }
        assertEquals(run("sh", "-c", ". /etc/os-release; echo \"$ID\""), info.getOsId());
        assertEquals(run("sh", "-c", ". /etc/os-release; echo \"$PRETTY_NAME\""), info.getOsName());
        assertEquals(run("cat", "/proc/sys/kernel/random/boot_id"), info.getBootId());
        assertEquals("9.9.9", info.getAgentVersion());
        assertFalse(info.getTimezone().isEmpty());
    }
}
