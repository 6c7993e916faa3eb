package io.qtx.agent.handlers;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;

import io.qtx.agent.config.AgentConfig;
import io.qtx.agent.policy.Refusal;
import io.qtx.ffi.AdminCalls;
import io.qtx.ffi.NativeException;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.ExecResult;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * Runs a command. The child is made the leader of a new session and process group (through
 * setsid(1)), so a timeout can kill the whole tree with one kill(-pgid, SIGKILL); descendants
 * that moved to groups of their own are found through /proc and killed too. stdout and stderr
 * are read concurrently, each capped; stdin is written from its own thread.
 */
public final class ExecHandler implements RequestHandler {

    private static final String SETSID = "/usr/bin/setsid";
    private static final String RUNUSER = "/usr/sbin/runuser";
    /** How long output is still read after the child ended, for what its last writes left in the pipes. */
    private static final long PIPE_GRACE_MS = 2000;
    /** Room in a response for everything but the two outputs. */
    private static final int RESULT_ROOM = 256;

    /** The search path every command gets unless the request brings its own. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** How long a child may take to go after SIGKILL (one in uninterruptible sleep does not) before the answer goes without it. */
    private static final long KILL_WAIT_MS = 5000;

    private final AgentConfig config;
    private final Users users;
    private final Consumer<Process> killer;
    private final long killWaitMs;

    public ExecHandler(AgentConfig config, Users users) {
        this(config, users, ExecHandler::killTree, KILL_WAIT_MS);
    }

    /** Tests give a killer that cannot kill (a child stuck in the kernel) and a short wait. */
    ExecHandler(AgentConfig config, Users users, Consumer<Process> killer, long killWaitMs) {
        this.config = config;
        this.users = users;
        this.killer = killer;
        this.killWaitMs = killWaitMs;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_EXEC;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public String summary(Request request) {
        ExecRequest e = request.getExec();
        String what = e.hasArgv() ? (e.getArgv().getArgsCount() == 0 ? "" : e.getArgv().getArgs(0)) : "sh -c";
        return "command=" + Audit.quote(what) + (e.getRunAsUser().isEmpty() ? "" : " user=" + Audit.quote(e.getRunAsUser()));
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal, IOException {
        ExecRequest e = request.getExec();
        Users.Account account = runAs(e);
        List<String> command = command(e, account);
        int perStream = Math.max(0, (context.maxResponseBytes() - RESULT_ROOM) / 2);
        int stdoutCap = cap(e.getMaxStdoutBytes(), perStream);
        int stderrCap = cap(e.getMaxStderrBytes(), perStream);
        long timeoutMs = timeoutMillis(e, context);
        ProcessBuilder pb = processBuilder(e, account, command);

        long started = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException failed) {
            throw Refusal.badArgument("cannot start " + Audit.quote(String.join(" ", command)) + ": "
                    + failed.getMessage());
        }
        OutputPump out = new OutputPump(process.getInputStream(), stdoutCap, "exec-stdout-" + process.pid());
        OutputPump err = new OutputPump(process.getErrorStream(), stderrCap, "exec-stderr-" + process.pid());
        feed(process, e.getStdin());
        Ending ending = await(process, timeoutMs, out, err);
        return Response.newBuilder().setExec(result(process, ending, out, err, started)).build();
    }

    /** How the wait for the child ended. */
    private record Ending(boolean timedOut, boolean outlivedKill) {
    }

    private ProcessBuilder processBuilder(ExecRequest e, Users.Account account, List<String> command)
            throws Refusal {
        ProcessBuilder pb = new ProcessBuilder(command);
        environment(pb.environment(), e, account);
        Path cwd = Path.of(e.getCwd().isEmpty() ? "/" : e.getCwd());
        if (!cwd.isAbsolute() || !Files.isDirectory(cwd)) {
            throw Refusal.badArgument("cwd " + e.getCwd() + ": not an existing directory");
        }
        pb.directory(cwd.toFile());
        return pb;
    }

    /** Waits for the child up to its timeout, then kills it; the pumps get a short grace after. */
    private Ending await(Process process, long timeoutMs, OutputPump out, OutputPump err) throws IOException {
        boolean timedOut = false;
        boolean outlivedKill = false;
        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                timedOut = true;
                killer.accept(process);
                outlivedKill = !process.waitFor(killWaitMs, TimeUnit.MILLISECONDS);
            }
            // A child that left something running in the background (nohup x &) leaves the pipes
            // open: its output so far is the answer, the background process lives on.
            out.join(PIPE_GRACE_MS);
            err.join(PIPE_GRACE_MS);
        } catch (InterruptedException interrupted) {
            killer.accept(process);
            Thread.currentThread().interrupt();
            throw new IOException("exec interrupted (the agent is stopping)");
        }
        return new Ending(timedOut, outlivedKill);
    }

    private ExecResult.Builder result(Process process, Ending ending, OutputPump out, OutputPump err, long started) {
        byte[] stderr = err.bytes();
        if (ending.outlivedKill()) {
            stderr = (new String(stderr, java.nio.charset.StandardCharsets.UTF_8) + "\nquantix-kvm-agent: pid "
                    + process.pid() + " was still there " + killWaitMs + " ms after SIGKILL (stuck in the kernel?);"
                    + " answered without waiting for it\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        ExecResult.Builder result = ExecResult.newBuilder()
                .setStdout(ByteString.copyFrom(out.bytes()))
                .setStderr(ByteString.copyFrom(stderr))
                .setStdoutTruncated(out.truncated())
                .setStderrTruncated(err.truncated())
                .setTimedOut(ending.timedOut())
                .setDurationMs((System.nanoTime() - started) / 1_000_000);
        if (ending.timedOut()) {
            result.setSignal(AdminCalls.SIGKILL);
        } else if (process.exitValue() > 128 && process.exitValue() < 128 + 32) {
            // The JDK reports death by signal N as 128+N (as shells do); see README.
            result.setSignal(process.exitValue() - 128);
        } else {
            result.setExitCode(process.exitValue());
        }
        return result;
    }

    /** The account to run as, from the name service; null for the agent's own. */
    private Users.Account runAs(ExecRequest e) throws Refusal, IOException {
        if (e.getRunAsUser().isEmpty()) {
            return null;
        }
        return users.account(e.getRunAsUser()).orElseThrow(() -> Refusal.badArgument("run_as_user "
                + e.getRunAsUser() + ": the name service (getent passwd) knows no such user"));
    }

    /**
     * What the child sees: never the agent's own environment (the service manager's
     * NOTIFY_SOCKET, WATCHDOG_*, INVOCATION_ID, JOURNAL_STREAM...), but PATH, HOME, LANG,
     * USER and LOGNAME of the user it runs as; with clear_env nothing; then the request's.
     */
    static void environment(Map<String, String> env, ExecRequest e, Users.Account account) {
        env.clear();
        if (!e.getClearEnv()) {
            env.put("PATH", PATH);
            env.put("LANG", "C.UTF-8");
            env.put("HOME", account != null ? account.home() : System.getProperty("user.home"));
            String user = account != null ? account.name() : System.getProperty("user.name");
            env.put("USER", user);
            env.put("LOGNAME", user);
        }
        env.putAll(e.getEnvMap());
    }

    private List<String> command(ExecRequest e, Users.Account account) throws Refusal {
        List<String> argv = new ArrayList<>();
        if (new File(SETSID).canExecute()) {
            argv.add(SETSID);
        }
        if (account != null) {
            if (!new File(RUNUSER).canExecute()) {
                throw Refusal.badArgument("run_as_user needs " + RUNUSER + ", which this guest lacks");
            }
            argv.addAll(List.of(RUNUSER, "-u", account.name(), "--"));
        }
        switch (e.getCommandCase()) {
            case ARGV -> {
                if (e.getArgv().getArgsCount() == 0 || e.getArgv().getArgs(0).isEmpty()) {
                    throw Refusal.badArgument("argv is empty");
                }
                argv.addAll(e.getArgv().getArgsList());
            }
            case SHELL -> argv.addAll(List.of("/bin/sh", "-c", e.getShell()));
            default -> throw Refusal.badArgument("exec needs argv or shell");
        }
        for (String a : argv) {
            if (a.indexOf('\0') >= 0) {
                throw Refusal.badArgument("an argument contains a NUL byte");
            }
        }
        return argv;
    }

    /** What the host asked for, its default when 0, never above the configured ceiling nor the reply's room. */
    private int cap(int requested, int room) {
        int want = requested == 0 ? config.execDefaultOutput() : requested;
        return Math.min(Math.min(want, config.execMaxOutput()), room);
    }

    private long timeoutMillis(ExecRequest e, RequestContext context) {
        long max = config.execMaxTimeout().toMillis();
        long untilDeadline = Math.max(1, remaining(context));
        long asked = e.getTimeoutMs() == 0 ? untilDeadline : e.getTimeoutMs();
        return Math.min(Math.min(asked, untilDeadline), max);
    }

    private static long remaining(RequestContext context) {
        return (context.deadlineNanos() - System.nanoTime()) / 1_000_000;
    }

    private static void feed(Process process, ByteString stdin) {
        OutputStream in = process.getOutputStream();
        Thread.ofVirtual().name("exec-stdin-" + process.pid()).start(() -> {
            try (in) {
                stdin.writeTo(in);
            } catch (IOException e) {
                // The child closed its stdin or died: the rest is not wanted.
            }
        });
    }

    /** SIGKILL to the child's process group, and to every descendant that left it. */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            AdminCalls.kill(-(int) process.pid(), AdminCalls.SIGKILL);
        } catch (NativeException e) {
            // Not a group leader (no setsid(1) here) or already gone: the walk below still works.
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
