package io.qtx.agent.telemetry;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Load averages, uptime, process count and host name. */
public final class SystemReader {

    private final KernelFiles files;

    public SystemReader(KernelFiles files) {
        this.files = files;
    }

    /** {1m, 5m, 15m} from /proc/loadavg. */
    public double[] load() {
        String[] f = files.line("/proc/loadavg").split("\\s+");
        if (f.length < 3) {
            return new double[3];
        }
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    /** Time since boot from /proc/uptime. */
    public long uptimeMillis() {
        String[] f = files.line("/proc/uptime").split("\\s+");
        return f.length == 0 || f[0].isEmpty() ? 0 : Math.round(Double.parseDouble(f[0]) * 1000);
    }

    /** Processes (not threads): the numeric entries of /proc. */
    public int processCount() {
        int n = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(files.path("/proc"))) {
            for (Path p : dir) {
                if (isPid(p.getFileName().toString())) {
                    n++;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return n;
    }

    public String hostname() {
        return files.line("/proc/sys/kernel/hostname");
    }

    static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
