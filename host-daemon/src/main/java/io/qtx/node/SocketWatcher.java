package io.qtx.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.qtx.epoll.EventLoop;
import io.qtx.kit.Backoff;
import io.qtx.kit.DirectoryWatcher;

/**
 * Finds {@code {vm_id}.agent.sock} files: the daemon kit's {@link DirectoryWatcher} brings
 * inotify's news and, every {@code rescanInterval}, a rescan that catches whatever inotify could
 * not tell (the directory created late or replaced, a queue overflow). Names that are not a
 * valid id are ignored, with one warning each. Loop thread only.
 */
final class SocketWatcher implements AutoCloseable {

    /** Told about sockets; called on the loop thread, possibly more than once for the same id. */
    interface Listener {
        void appeared(VmId id, Path socket);

        void gone(VmId id);
    }

    private static final System.Logger LOG = System.getLogger(SocketWatcher.class.getName());

    private final Path dir;
    private final Listener listener;
    private final DirectoryWatcher watcher;
    private final Set<VmId> present = new HashSet<>();
    private final Set<String> warned = new HashSet<>();

    SocketWatcher(EventLoop loop, Path dir, Duration rescanInterval, Listener listener) {
        this.dir = dir;
        this.listener = listener;
        this.watcher = new DirectoryWatcher(loop, List.of(dir), Backoff.exact(rescanInterval, rescanInterval),
                new DirectoryWatcher.Listener() {
                    @Override
                    public void changed(List<DirectoryWatcher.Change> changes) {
                        changes.forEach(c -> consider(c.name(), c.present()));
                    }

                    @Override
                    public void check() {
                        rescan();
                    }
                });
    }

    /** Watches the directory and reports what is there now. */
    void start() {
        watcher.start();
        rescan();
    }

    private void consider(String name, boolean exists) {
        VmId id = VmId.fromSocketName(name);
        if (id == null) {
            if (name.endsWith(VmId.SOCKET_SUFFIX) && warned.add(name)) {
                LOG.log(System.Logger.Level.WARNING, "ignoring {0} in {1}: not a valid VM id", name, dir);
            }
            return;
        }
        if (exists && present.add(id)) {
            listener.appeared(id, dir.resolve(name));
        } else if (!exists && present.remove(id)) {
            listener.gone(id);
        }
    }

    /** Lists the directory and reconciles. */
    private void rescan() {
        Set<VmId> seen = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                entries.forEach(p -> {
                    String name = p.getFileName().toString();
                    VmId id = VmId.fromSocketName(name);
                    if (id != null) {
                        seen.add(id);
                    }
                    consider(name, true);
                });
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot list {0}: {1}", dir, e.getMessage());
                return;
            }
        }
        for (VmId id : Set.copyOf(present)) {
            if (!seen.contains(id)) {
                present.remove(id);
                listener.gone(id);
            }
        }
    }

    @Override
    public void close() {
        watcher.close();
    }
}
