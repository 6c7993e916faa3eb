package io.qtx.epoll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time one thread has used, from the kernel's schedstat of that thread. Read from /proc
 * rather than through java.management, so a minimal runtime image can measure its loop too.
 */
final class ThreadCpu {

    private static final System.Logger LOG = System.getLogger(ThreadCpu.class.getName());

    /** /proc/PID/task/TID of the thread; set by {@link #captureCurrentThread}. */
    private volatile String taskDir;

    /** Remembers the calling thread as the one to measure. */
    void captureCurrentThread() {
        try {
            // The link reads "PID/task/TID", relative to /proc.
            taskDir = "/proc/" + Files.readSymbolicLink(Path.of("/proc/thread-self"));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "no /proc/thread-self; loop CPU time unknown");
        }
    }

    /** Nanoseconds of CPU the thread has used; -1 before capture or where the kernel keeps none. */
    long nanos() {
        String task = taskDir;
        if (task == null) {
            return -1;
        }
        try {
            String schedstat = Files.readString(Path.of(task, "schedstat"));
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
