package io.qtx.agent.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the small text files the kernel publishes under /proc and /sys. The root is a
 * parameter so tests can point a collector at a fixture tree.
 */
public final class KernelFiles {

    private final Path root;

    public KernelFiles(Path root) {
        this.root = root;
    }

    /** The machine's own /proc and /sys. */
    public static KernelFiles system() {
        return new KernelFiles(Path.of("/"));
    }

    public Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** The whole file, or "" when it is missing or unreadable (an interface that went away). */
    public String read(String absolute) {
        try {
            return Files.readString(path(absolute), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** The file as one trimmed line, or "". */
    public String line(String absolute) {
        return read(absolute).strip();
    }

    /** The file as a number, or 0 when missing or not a number. */
    public long number(String absolute) {
        try {
            return Long.parseLong(line(absolute));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

}
