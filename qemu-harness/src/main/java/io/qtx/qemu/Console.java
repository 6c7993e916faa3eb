package io.qtx.qemu;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM's serial console: one thread copies QEMU's output line by line into the console log
 * (each line stamped with the seconds since QEMU started) and keeps the lines for tests to
 * wait on. Waiting works like expect: each match moves a cursor past the matched line, so a
 * test reads the console in order.
 */
final class Console {

    private final List<String> lines = new ArrayList<>();
    /** When each line arrived, on the {@link System#nanoTime()} clock. */
    private final List<Long> arrivals = new ArrayList<>();
    private final Path log;
    private final long startNanos;
    private final Thread reader;
    /** Index of the first line the next await looks at. */
    private int cursor;
    private long lastMatchNanos;
    private boolean ended;

    Console(String vmId, InputStream output, Path log, long startNanos) throws IOException {
        this.log = log;
        this.startNanos = startNanos;
        Files.createDirectories(log.toAbsolutePath().getParent());
        BufferedWriter writer = Files.newBufferedWriter(log);
        this.reader = Thread.ofPlatform().name("qemu-console-" + vmId).daemon(true)
                .start(() -> copy(output, writer));
    }

    private void copy(InputStream output, BufferedWriter writer) {
        try (InputStream in = output; BufferedWriter out = writer) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    add(line.toString(StandardCharsets.UTF_8), out);
                    line.reset();
                } else if (b != '\r') {
                    line.write(b);
                }
            }
            if (line.size() > 0) {
                add(line.toString(StandardCharsets.UTF_8), out);
            }
        } catch (IOException e) {
            synchronized (this) {
                lines.add("(console reader: " + e + ")");
                arrivals.add(System.nanoTime());
            }
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private void add(String line, BufferedWriter out) throws IOException {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        out.write(String.format("[%8.3f] %s%n", seconds, line));
        out.flush();
        synchronized (this) {
            lines.add(line);
            arrivals.add(System.nanoTime());
            notifyAll();
        }
    }

    Path log() {
        return log;
    }

    /**
     * Waits for the next line at or after the cursor that matches {@code regex} (found anywhere
     * in the line) and moves the cursor past it.
     *
     * @param running tells whether the VM still runs: a dead VM prints nothing more
     * @throws AssertionError on timeout or when the VM is gone, with the console's last lines
     */
    Matcher await(Pattern regex, Duration timeout, BooleanSupplier running) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (; cursor < lines.size(); cursor++) {
                    Matcher m = regex.matcher(lines.get(cursor));
                    if (m.find()) {
                        lastMatchNanos = arrivals.get(cursor);
                        cursor++;
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended || !running.getAsBoolean()) {
                    String why = left <= 0 ? "no console line matching /" + regex + "/ within " + timeout
                            : "the VM stopped before printing a line matching /" + regex + "/";
                    throw new AssertionError(why + "; console (" + log + ") ends with:\n" + tail(25));
                }
                // Short waits so a VM that dies without closing its output is noticed.
                wait(Math.max(1, Math.min(200, left / 1_000_000)));
            }
        }
    }

    /** When the line of the last successful {@link #await} arrived, on the {@link System#nanoTime()} clock. */
    synchronized long lastMatchNanos() {
        return lastMatchNanos;
    }

    /** The last {@code n} lines, for failure messages. */
    synchronized String tail(int n) {
        StringBuilder s = new StringBuilder();
        for (String line : lines.subList(Math.max(0, lines.size() - n), lines.size())) {
            s.append("  | ").append(line).append('\n');
        }
        return s.toString();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until QEMU's output has ended and been written to the log. */
    void join(Duration timeout) throws InterruptedException {
        reader.join(timeout);
    }
}
