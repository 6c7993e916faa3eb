package io.qtx.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ISO and packages that build-scripts/packaging/build-all made, and running what they
 * install. A missing artifact fails the test with the command that makes it: never a skip.
 */
final class Packages {

    /** A finished command: its exit status and its output, stdout and stderr together. */
    record Run(int status, String output) {
    }

    private Packages() {
    }

    static Path dir() {
        String configured = System.getProperty("qtx.packages");
        return Path.of(configured != null && !configured.isBlank() ? configured : "../build-scripts/.cache/packages")
                .toAbsolutePath().normalize();
    }

    /** The one file in {@link #dir()} matching {@code glob}. */
    static Path find(String glob) throws IOException {
        Path dir = dir();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
                for (Path f : files) {
                    return f;
                }
            }
        }
        throw new AssertionError("no " + glob + " in " + dir + ": run build-scripts/packaging/build-all first "
                + "(build-scripts/test does)");
    }

    /** Runs a command to its end, or kills it after {@code timeout}. */
    static Run run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Read while it runs: a full pipe would stall the command.
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("(output lost: ").append(e).append(')');
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(Duration.ofSeconds(10));
        return new Run(p.isAlive() ? -1 : p.exitValue(), out.toString());
    }

    /** Unpacks a tarball into {@code into}, as {@code tar -xzf} does on a host. */
    static void untar(Path tarball, Path into) throws IOException, InterruptedException {
        Run r = run(Duration.ofMinutes(2), "tar", "-xzf", tarball.toString(), "-C", into.toString());
        if (r.status() != 0) {
            throw new AssertionError("tar -xzf " + tarball + ": " + r.output());
        }
    }

    static List<String> command(Path program, String... args) {
        List<String> c = new ArrayList<>();
        c.add(program.toString());
        c.addAll(List.of(args));
        return c;
    }
}
