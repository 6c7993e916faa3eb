package io.qtx.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts the connections queued on a listening Unix socket and not yet accepted.
 *
 * <p>The kernel lists each queued connection in {@code /proc/net/unix} as a socket without a
 * file (inode 0) in state 02 ({@code SS_CONNECTING}), carrying the listener's path. Measured
 * on Linux 6.x; it is how {@code ss -xl} shows a listener's Recv-Q.
 */
final class PendingConnections {

    private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
    /** Columns: Num RefCount Protocol Flags Type St Inode Path; the path may hold spaces. */
    private static final int COLUMNS = 8;
    private static final String SS_CONNECTING = "02";

    private PendingConnections() {
    }

    static int count(Path listeningSocket) {
        String path = listeningSocket.toAbsolutePath().toString();
        List<String> lines;
        try {
            lines = Files.readAllLines(PROC_NET_UNIX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC_NET_UNIX, e);
        }
        int pending = 0;
        for (String line : lines) {
            String[] col = line.trim().split("\\s+", COLUMNS);
            if (col.length == COLUMNS && col[5].equals(SS_CONNECTING) && col[6].equals("0") && col[7].equals(path)) {
                pending++;
            }
        }
        return pending;
    }
}
