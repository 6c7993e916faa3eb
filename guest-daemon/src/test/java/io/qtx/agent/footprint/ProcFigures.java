package io.qtx.agent.footprint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code /proc} says about a process: memory in KiB, CPU time in ticks. */
public record ProcFigures(long vmRssKib, long rssAnonKib, long cpuTicks) {

    /** Ticks per second of {@code /proc/PID/stat}'s times (USER_HZ, 100 on Linux). */
    public static final int TICKS_PER_SECOND = 100;

    public static ProcFigures of(long pid) throws IOException {
        long rss = -1;
        long anon = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("RssAnon:")) {
                anon = kib(line);
            }
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // Fields after the command name, which may hold blanks and parentheses itself.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new ProcFigures(rss, anon, Long.parseLong(f[11]) + Long.parseLong(f[12]));
    }

    /**
     * The JVM's pid: a launcher script that execs java keeps its own; one that forks is
     * searched for a java child.
     */
    public static long javaPid(Process p) {
        return p.toHandle().descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
                .map(ProcessHandle::pid).findFirst().orElse(p.pid());
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("\\D", ""));
    }
}
