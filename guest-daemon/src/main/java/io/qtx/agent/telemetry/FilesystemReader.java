package io.qtx.agent.telemetry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qtx.ffi.AdminCalls;
import io.qtx.ffi.NativeException;
import io.qtx.proto.Filesystem;

/**
 * Usage of every real mounted filesystem: the mounts of /proc/self/mounts whose type the
 * kernel does not mark "nodev" in /proc/filesystems (so proc, sysfs, tmpfs, cgroup, overlay
 * and the like are left out), plus network and host-shared filesystems, which are nodev but
 * hold real data. Sizes come from statvfs(3) through FFM.
 */
public final class FilesystemReader {

    /** nodev types that still hold user data. */
    private static final Set<String> NODEV_BUT_REAL = Set.of("nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs",
            "9p", "virtiofs", "zfs");

    private final KernelFiles files;

    public FilesystemReader(KernelFiles files) {
        this.files = files;
    }

    /** One line of /proc/self/mounts, unescaped. */
    public record Mount(String device, String mountpoint, String type, boolean readOnly) {
    }

    /** The real mounts, one per mount point (a later mount on the same point hides the earlier). */
    public List<Mount> mounts() {
        Set<String> deviceTypes = deviceTypes();
        Map<String, Mount> byPoint = new LinkedHashMap<>();
        for (String line : files.read("/proc/self/mounts").split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 4) {
                continue;
            }
            Mount m = new Mount(unescape(f[0]), unescape(f[1]), f[2], List.of(f[3].split(",")).contains("ro"));
            byPoint.remove(m.mountpoint());
            if (deviceTypes.contains(m.type()) || NODEV_BUT_REAL.contains(m.type())) {
                byPoint.put(m.mountpoint(), m);
            }
        }
        return new ArrayList<>(byPoint.values());
    }

    public List<Filesystem> read() {
        List<Filesystem> out = new ArrayList<>();
        for (Mount m : mounts()) {
            AdminCalls.FsUsage u;
            try {
                u = AdminCalls.statvfs(m.mountpoint());
            } catch (NativeException e) {
                continue; // unmounted meanwhile, or a dead network mount: no figure rather than a wrong one
            }
            out.add(Filesystem.newBuilder()
                    .setMountpoint(m.mountpoint())
                    .setDevice(m.device())
                    .setFsType(m.type())
                    .setTotalBytes(u.totalBytes())
                    .setUsedBytes(u.totalBytes() - u.freeBytes())
                    .setAvailableBytes(u.availableBytes())
                    .setInodesTotal(u.inodes())
                    .setInodesUsed(u.inodes() - u.inodesFree())
                    .setReadOnly(m.readOnly())
                    .build());
        }
        return out;
    }

    /** Types in /proc/filesystems without the "nodev" mark. */
    private Set<String> deviceTypes() {
        Set<String> out = new HashSet<>();
        for (String line : files.read("/proc/filesystems").split("\n")) {
            if (!line.startsWith("nodev") && !line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    /** The kernel writes space, tab, newline and backslash in mount fields as \ooo octal. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
