package io.qtx.agent.handlers;

import static io.qtx.agent.handlers.Requests.context;
import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.qtx.agent.config.AgentConfig;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.Argv;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.ExecRequest;
import io.qtx.proto.ExecResult;
import io.qtx.proto.Request;
import io.qtx.testkit.Await;

class ExecHandlerTest {

    private final ExecHandler exec = new ExecHandler(AgentConfig.defaults(), Users.system());

    private ExecResult run(ExecRequest.Builder e) throws Exception {
        return exec.handle(request().setExec(e).build(), context()).getExec();
    }

    private static ExecRequest.Builder argv(String... args) {
        return ExecRequest.newBuilder().setArgv(Argv.newBuilder().addAllArgs(java.util.List.of(args)));
    }

    private static String text(ByteString b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void argvRunsWithoutShellAndReportsExitCode() throws Exception {
        ExecResult r = run(argv("echo", "a b", "$HOME"));
        assertEquals("a b $HOME\n", text(r.getStdout()));
        assertEquals(ExecResult.TerminationCase.EXIT_CODE, r.getTerminationCase());
        assertEquals(0, r.getExitCode());
        assertEquals(3, run(argv("sh", "-c", "exit 3")).getExitCode());
    }

    @Test
    void shellEnvCwdAndStdin() throws Exception {
        ExecResult r = run(ExecRequest.newBuilder().setShell("cat; echo \"$QX\"; pwd; echo err >&2")
                .putEnv("QX", "v1").setCwd("/tmp").setStdin(ByteString.copyFromUtf8("in\n")));
        assertEquals("in\nv1\n/tmp\n", text(r.getStdout()));
        assertEquals("err\n", text(r.getStderr()));
        ExecResult cleared = run(ExecRequest.newBuilder().setShell("echo \"[$HOME]\"").setClearEnv(true));
        assertEquals("[]\n", text(cleared.getStdout()));
    }

    @Test
    void bothStreamsAreCappedAndReadConcurrently() throws Exception {
        // 3 MiB on each stream: a sequential reader would deadlock on the other pipe.
        ExecResult r = run(ExecRequest.newBuilder()
                .setShell("head -c 3145728 /dev/zero; head -c 3145728 /dev/zero >&2; head -c 3145728 /dev/zero")
                .setMaxStdoutBytes(1000).setMaxStderrBytes(2000));
        assertEquals(1000, r.getStdout().size());
        assertEquals(2000, r.getStderr().size());
        assertTrue(r.getStdoutTruncated());
        assertTrue(r.getStderrTruncated());
        assertEquals(0, r.getExitCode());
        ExecResult small = run(argv("echo", "x"));
        assertFalse(small.getStdoutTruncated());
    }

    @Test
    void hostCannotRaiseTheOutputCeiling() throws Exception {
        ExecHandler low = new ExecHandler(AgentConfig.defaults().with(Map.of("exec.max_output", "100",
                "exec.default_output", "50")), Users.system());
        Request big = request().setExec(ExecRequest.newBuilder().setShell("head -c 5000 /dev/zero")
                .setMaxStdoutBytes(1 << 30)).build();
        ExecResult r = low.handle(big, context()).getExec();
        assertEquals(100, r.getStdout().size());
        assertTrue(r.getStdoutTruncated());
        Request dflt = request().setExec(ExecRequest.newBuilder().setShell("head -c 5000 /dev/zero")).build();
        assertEquals(50, low.handle(dflt, context()).getExec().getStdout().size());
    }

    @Test
    void timeoutKillsTheWholeTree() throws Exception {
        ExecResult r = run(ExecRequest.newBuilder()
                .setShell("sleep 300 & echo $!; (sleep 301 & echo $!; wait) & sleep 302; echo never")
                .setTimeoutMs(700));
        assertTrue(r.getTimedOut());
        assertEquals(9, r.getSignal());
        String[] pids = text(r.getStdout()).trim().split("\n");
        assertEquals(2, pids.length, text(r.getStdout()));
        for (String pid : pids) {
            long p = Long.parseLong(pid.trim());
            Await.until("pid " + p + " gone (it survived the timeout's kill)", () -> !running(p));
        }
        assertTrue(r.getDurationMs() >= 700);
    }

    /** Alive and not a zombie waiting for its reaper. */
    private static boolean running(long pid) {
        Path stat = Path.of("/proc/" + pid + "/stat");
        try {
            String s = Files.readString(stat);
            return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    @Test
    void deathBySignalIsReportedAsSignal() throws Exception {
        ExecResult r = run(ExecRequest.newBuilder().setShell("kill -TERM $$"));
        assertEquals(ExecResult.TerminationCase.SIGNAL, r.getTerminationCase());
        assertEquals(15, r.getSignal());
        assertFalse(r.getTimedOut());
    }

    @Test
    void badRequestsAreRefused() {
        for (ExecRequest.Builder bad : new ExecRequest.Builder[] {
            ExecRequest.newBuilder(), argv(), argv(""), argv("true").setCwd("/no/such/dir"),
            argv("true").setCwd("relative"), argv("true").setRunAsUser("no-such-user-qtx"), argv("a\0b")}) {
            Refusal r = assertThrows(Refusal.class, () -> run(bad), bad.toString());
            assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, r.code());
        }
    }

    @Test
    void runsAsAnotherUser() throws Exception {
        ExecResult r = run(argv("id", "-un").setRunAsUser("nobody"));
        assertEquals("nobody\n", text(r.getStdout()), text(r.getStderr()));
    }

    @Test
    void theChildGetsACleanDocumentedEnvironmentNotTheAgents() throws Exception {
        ExecResult r = run(argv("env").putEnv("EXTRA", "1"));
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String line : text(r.getStdout()).split("\n")) {
            names.add(line.substring(0, line.indexOf('=')));
        }
        assertEquals(new java.util.TreeSet<>(java.util.List.of("PATH", "HOME", "LANG", "USER", "LOGNAME", "EXTRA")),
                names, "nothing of the agent's own environment (NOTIFY_SOCKET, WATCHDOG_*, ...): " + r.getStdout());
        assertTrue(text(r.getStdout()).contains("PATH=" + ExecHandler.PATH + "\n"));
        assertTrue(text(r.getStdout()).contains("LANG=C.UTF-8\n"));
    }

    @Test
    void runAsGetsTheUsersHomeAndNameFromTheNameService() throws Exception {
        Users.Account nobody = Users.system().account("nobody").orElseThrow();
        ExecResult r = run(ExecRequest.newBuilder().setShell("echo \"$USER $LOGNAME $HOME\"").setRunAsUser("nobody"));
        assertEquals("nobody nobody " + nobody.home() + "\n", text(r.getStdout()), text(r.getStderr()));
    }

    @Test
    void usersAreLookedUpThroughTheNameServiceNotEtcPasswd(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // A name service that knows a directory user /etc/passwd has never heard of.
        Path getent = dir.resolve("getent");
        Files.writeString(getent, "#!/bin/sh\n[ \"$1 $2\" = \"passwd ldap.user\" ] || exit 2\n"
                + "echo 'ldap.user:*:70001:70001:Directory User:/home/ldap.user:/bin/bash'\n");
        getent.toFile().setExecutable(true);
        Path emptyPasswd = Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Users nss = new Users(emptyPasswd, emptyPasswd, getent.toString());
        assertEquals(new Users.Account("ldap.user", 70001, 70001, "/home/ldap.user", "/bin/bash"),
                nss.account("ldap.user").orElseThrow());
        assertTrue(nss.account("someone-else").isEmpty());
        assertTrue(nss.account("-x").isEmpty() && nss.account("0").isEmpty() && nss.account("a:b").isEmpty(),
                "options, uids and separators are nobody's names");
    }

    @Test
    void aChildThatOutlivesSigkillDoesNotHoldTheWorker() throws Exception {
        java.util.List<Process> stuck = new java.util.concurrent.CopyOnWriteArrayList<>();
        // The killer stands for a child in uninterruptible sleep: SIGKILL does not end it.
        ExecHandler unkillable = new ExecHandler(AgentConfig.defaults(), Users.system(), stuck::add, 200);
        try {
            ExecResult r = unkillable.handle(request().setExec(argv("sleep", "60").setTimeoutMs(200)).build(),
                    context()).getExec();
            assertTrue(r.getTimedOut());
            assertEquals(9, r.getSignal());
            assertTrue(text(r.getStderr()).contains("still there 200 ms after SIGKILL"), text(r.getStderr()));
            assertEquals(1, stuck.size());
            assertTrue(stuck.get(0).isAlive(), "answered while the child still lived");
        } finally {
            stuck.forEach(ExecHandler::killTree);
        }
    }

    @Test
    void auditSummaryNamesTheCommandOnly() {
        Request r = request().setExec(argv("/bin/echo", "secret-arg")).build();
        assertEquals("command=\"/bin/echo\"", exec.summary(r));
    }
}
