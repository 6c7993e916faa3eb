package io.qtx.agent.port;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the port is. The configured value is a port name (found through sysfs), a device
 * path, or {@code unix:/path} (a stream socket: the simulator's guest side, and tests).
 *
 * <p>A name is looked up in this order: the port whose {@code /sys/class/virtio-ports/*\/name}
 * holds it (the vportNpM number is not stable), then {@code /dev/virtio-ports/<name>} (the
 * udev link, which appears later than the node), then the old agent's paths. The bare
 * {@code /dev/vportNpM} fallbacks are used only when sysfs has no name for them, so the agent
 * never takes another service's port (qemu-ga's, say) by its number.
 */
public final class PortAddress {

    static final List<String> LEGACY_LINKS = List.of("/dev/virtio-ports/org.limiquantix.agent.0");
    static final List<String> LEGACY_NODES = List.of("/dev/vport0p1", "/dev/vport1p1");

    private final String configured;
    private final Path root;

    /** {@code root} is "/" except in tests, which build a fake sysfs and /dev. */
    public PortAddress(String configured, Path root) {
        this.configured = configured;
        this.root = root;
    }

    public boolean isSocket() {
        return configured.startsWith("unix:");
    }

    /** The socket path of a {@code unix:} address. */
    public String socketPath() {
        return configured.substring("unix:".length());
    }

    public String configured() {
        return configured;
    }

    /** Directories whose changes may mean the port appeared: watched with inotify. */
    public List<String> watchDirectories() {
        if (isSocket()) {
            Path parent = Path.of(socketPath()).getParent();
            return parent == null ? List.of() : List.of(parent.toString());
        }
        if (configured.startsWith("/")) {
            Path parent = Path.of(configured).getParent();
            return List.of(parent.toString());
        }
        return List.of(abs("/dev"), abs("/dev/virtio-ports"));
    }

    /** The device (or socket) to open now, or null when it is not there yet. */
    public String locate() {
        if (isSocket()) {
            return Files.exists(Path.of(socketPath())) ? configured : null;
        }
        if (configured.startsWith("/")) {
            return Files.exists(Path.of(configured)) ? configured : null;
        }
        String bySysfs = bySysfsName(configured);
        if (bySysfs != null) {
            return bySysfs;
        }
        Path link = Path.of(abs("/dev/virtio-ports/" + configured));
        if (Files.exists(link)) {
            return link.toString();
        }
        for (String legacy : LEGACY_LINKS) {
            if (Files.exists(Path.of(abs(legacy)))) {
                return abs(legacy);
            }
        }
        for (String node : LEGACY_NODES) {
            String vport = Path.of(node).getFileName().toString();
            boolean named = Files.exists(Path.of(abs("/sys/class/virtio-ports/" + vport + "/name")));
            if (!named && Files.exists(Path.of(abs(node)))) {
                return abs(node);
            }
        }
        return null;
    }

    /** What is being waited for, for the log. */
    public String describe() {
        if (isSocket()) {
            return "socket " + socketPath();
        }
        if (configured.startsWith("/")) {
            return "device " + configured;
        }
        return "a virtio port named " + configured + " (in " + abs("/sys/class/virtio-ports") + "/*/name, then "
                + abs("/dev/virtio-ports/" + configured) + ", then " + LEGACY_LINKS + " and unnamed " + LEGACY_NODES + ")";
    }

    private String bySysfsName(String name) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> ports = Files.newDirectoryStream(Path.of(abs("/sys/class/virtio-ports")))) {
            for (Path port : ports) {
                try {
                    if (Files.readString(port.resolve("name")).strip().equals(name)) {
                        found.add(port.getFileName().toString());
                    }
                } catch (IOException e) {
                    // a port without a name, or one going away
                }
            }
        } catch (IOException e) {
            return null;
        }
        found.sort(null);
        for (String vport : found) {
            Path dev = Path.of(abs("/dev/" + vport));
            if (Files.exists(dev)) {
                return dev.toString();
            }
        }
        return null;
    }

    private String abs(String path) {
        return root.resolve(path.substring(1)).toString();
    }
}
