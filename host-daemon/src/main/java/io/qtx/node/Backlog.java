package io.qtx.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Connections queued on a listening Unix socket and not accepted yet, from the kernel's
 * {@code /proc/net/unix}: each is a row without a file (inode 0) in state 02 (SS_CONNECTING)
 * carrying the listener's path. It is how {@code ss -xl} shows a listener's backlog.
 *
 * <p>We cannot see which queued row is ours, so qx-node calls itself "not served" only when
 * both hold: QEMU has not read what we wrote, and its socket has a queue.
 */
final class Backlog {

    private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");

    private Backlog() {
    }

    /** Queued connections on {@code listener}; 0 when /proc cannot be read. */
    static int queued(Path listener) {
        String path = listener.toAbsolutePath().toString();
        try (var lines = Files.lines(PROC_NET_UNIX)) {
            return (int) lines.filter(line -> line.endsWith(path)).map(line -> line.trim().split("\\s+", 8))
                    .filter(col -> col.length == 8 && col[5].equals("02") && col[6].equals("0") && col[7].equals(path))
                    .count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
