package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system tool to its end: the few actions with no system call of their own (chpasswd, hwclock). */
final class Commands {

    private static final long LIMIT_SECONDS = 60;

    private Commands() {
    }

    /** Runs {@code argv} with {@code stdin}; a non-zero exit becomes an IOException carrying stderr. */
    static String run(List<String> argv, byte[] stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        // Nothing of the service manager's (NOTIFY_SOCKET, WATCHDOG_*) reaches a tool the agent runs.
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("LANG", "C.UTF-8");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // It exited without reading: its output says why.
        }
        try {
            if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(argv.get(0) + " did not finish within " + LIMIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(argv.get(0) + " interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new IOException(argv.get(0) + " exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
        }
        return out;
    }
}
