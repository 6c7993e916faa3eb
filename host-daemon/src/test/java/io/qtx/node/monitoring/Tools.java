package io.qtx.node.monitoring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The programs the monitoring tests run (Debian's prometheus, promtool and chromium), found on
 * the PATH. A missing one fails the test with the script that installs it: CI machines have
 * only what the repository installs, and a skipped test proves nothing.
 */
final class Tools {

    private Tools() {
    }

    static Path require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(program + " is not installed: run build-scripts/monitoring/setup "
                + "(build-scripts/test runs it)");
    }

    /** What a program printed (stdout and stderr together) and how it exited. */
    record Run(int status, String output) {
    }

    /** Runs {@code command} to its end, at most {@code seconds}, with {@code stdin} as its input. */
    static Run run(List<String> command, String stdin, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + seconds + " s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
