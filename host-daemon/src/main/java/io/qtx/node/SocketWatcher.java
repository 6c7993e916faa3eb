package io.qtx.node;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.epoll.Timer;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Inotify;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

/**
 * Finds {@code {vm_id}.agent.sock} files: inotify on the directory for prompt news, and a slow
 * rescan that catches whatever inotify could not tell (the directory created late or replaced,
 * a queue overflow). Names that are not a valid id are ignored, with one warning each.
 * Loop thread only.
 */
final class SocketWatcher implements AutoCloseable {

    /** Told about sockets; called on the loop thread, possibly more than once for the same id. */
    interface Listener {
        void appeared(VmId id, Path socket);

        void gone(VmId id);
    }

    private static final System.Logger LOG = System.getLogger(SocketWatcher.class.getName());
    private static final int MASK = Inotify.IN_CREATE | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM
            | Inotify.IN_MOVED_TO | Inotify.IN_DELETE_SELF | Inotify.IN_ATTRIB;

    private final EventLoop loop;
    private final Path dir;
    private final Duration rescanInterval;
    private final Listener listener;
    private final Set<VmId> present = new HashSet<>();
    private final Set<String> warned = new HashSet<>();
    private Arena arena;
    private MemorySegment buffer;
    private Registration inotify;
    private Timer rescanTimer;
    private long rescans;

    SocketWatcher(EventLoop loop, Path dir, Duration rescanInterval, Listener listener) {
        this.loop = loop;
        this.dir = dir;
        this.rescanInterval = rescanInterval;
        this.listener = listener;
    }

    void start() {
        loop.checkInLoop("SocketWatcher.start");
        arena = Arena.ofConfined();
        buffer = arena.allocate(64 * 1024, 8);
        watch();
        rescan();
        rescanTimer = loop.scheduleAtFixedRate(rescanInterval, rescanInterval, this::rescan);
    }

    /** Sets up the inotify watch if it is not in place; a missing directory is retried at the next rescan. */
    private void watch() {
        if (inotify != null || !Files.isDirectory(dir)) {
            return;
        }
        Fd fd = null;
        try {
            fd = Inotify.init();
            Inotify.addWatch(fd, dir.toString(), MASK);
            inotify = loop.register(fd, IoEvents.READABLE, false, (registration, events) -> drain());
        } catch (NativeException | RuntimeException e) {
            if (fd != null) {
                fd.close();
            }
            LOG.log(System.Logger.Level.WARNING, "cannot watch {0} ({1}); relying on the rescan every {2} s",
                    dir, e.getMessage(), rescanInterval.toSeconds());
        }
    }

    private void drain() throws NativeException {
        boolean rescanNow = false;
        long n;
        while ((n = inotify.fd().read(buffer)) > 0) {
            boolean[] selfGone = {false};
            Inotify.forEachEvent(buffer, n, (watch, mask, name) -> {
                if (name == null) {
                    selfGone[0] |= Inotify.any(mask, Inotify.IN_DELETE_SELF);
                } else if (Inotify.any(mask, Inotify.IN_CREATE | Inotify.IN_MOVED_TO | Inotify.IN_ATTRIB)) {
                    consider(name, true);
                } else if (Inotify.any(mask, Inotify.IN_DELETE | Inotify.IN_MOVED_FROM)) {
                    consider(name, false);
                }
            });
            rescanNow |= selfGone[0];
        }
        if (n == Syscalls.WOULD_BLOCK && !rescanNow) {
            return;
        }
        // The directory itself went away (or the fd reported end): watch again once it is back.
        inotify.close();
        inotify = null;
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

    /** Lists the directory and reconciles; also re-establishes the watch. */
    void rescan() {
        rescans++;
        watch();
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

    long rescans() {
        return rescans;
    }

    boolean isWatching() {
        return inotify != null;
    }

    @Override
    public void close() {
        if (rescanTimer != null) {
            rescanTimer.cancel();
        }
        if (inotify != null) {
            inotify.close();
            inotify = null;
        }
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
