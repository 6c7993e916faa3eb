package io.qtx.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks into its initramfs. The
 * harness appends one per VM to the cached base image: the kernel unpacks concatenated
 * archives in turn, so the program under test is added without rebuilding the 70 MB base.
 *
 * <pre>
 *  header, 110 ASCII bytes:
 *  +--------+------+------+-----+-----+-------+-------+----------+-----+-----+------+------+--------+-------+
 *  | 070701 | ino  | mode | uid | gid | nlink | mtime | filesize | maj | min | rmaj | rmin | namesz | check |
 *  +--------+------+------+-----+-----+-------+-------+----------+-----+-----+------+------+--------+-------+
 *    6 bytes  then 13 fields of 8 hex digits each
 *  then the name with its NUL, padded to a multiple of 4 (header included),
 *  then the data, padded to a multiple of 4; the last entry is named "TRAILER!!!".
 * </pre>
 */
final class CpioWriter implements AutoCloseable {

    static final int MODE_DIR = 0040000;
    static final int MODE_FILE = 0100000;

    private final OutputStream out;
    private final Set<String> directories = new HashSet<>();
    private long written;
    private int inode = 1;

    CpioWriter(OutputStream out) {
        this.out = out;
    }

    /** Adds a directory and, first, any parent not yet added. {@code path} is absolute in the guest. */
    void directory(String path) throws IOException {
        String name = relative(path);
        if (name.isEmpty() || directories.contains(name)) {
            return;
        }
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            directory(name.substring(0, slash));
        }
        directories.add(name);
        entry(name, MODE_DIR | 0755, 2, new byte[0]);
    }

    /** Adds a file with {@code permissions} (e.g. 0755), creating its parent directories. */
    void file(String path, int permissions, byte[] content) throws IOException {
        String name = relative(path);
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            directory(name.substring(0, slash));
        }
        entry(name, MODE_FILE | permissions, 1, content);
    }

    /** Adds a host file, or a host directory with everything under it, at {@code path}. */
    void copy(Path source, String path) throws IOException {
        if (Files.isDirectory(source)) {
            directory(path);
            List<Path> children;
            try (Stream<Path> list = Files.list(source)) {
                children = list.sorted().toList();
            }
            for (Path child : children) {
                copy(child, path + "/" + child.getFileName());
            }
        } else {
            file(path, Files.isExecutable(source) ? 0755 : 0644, Files.readAllBytes(source));
        }
    }

    private static String relative(String path) {
        String name = path;
        while (name.startsWith("/")) {
            name = name.substring(1);
        }
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }

    private void entry(String name, int mode, int links, byte[] data) throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder("070701");
        for (long field : new long[] {inode++, mode, 0, 0, links, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0}) {
            header.append(String.format("%08x", field));
        }
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
        write(data);
        pad();
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Writes the trailer; the stream stays open (it is the caller's). */
    @Override
    public void close() throws IOException {
        entry("TRAILER!!!", 0, 1, new byte[0]);
        out.flush();
    }
}
