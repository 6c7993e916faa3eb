package io.qtx.kit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.epoll.Timer;
import io.qtx.ffi.Fd;
import io.qtx.ffi.Inotify;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

/**
 * Tells its owner when names in some directories may have changed: inotify for prompt news at
 * no cost while nothing happens, and a safety-net timer on the event loop for what inotify
 * cannot tell (sysfs, a directory created late or replaced, a queue overflow, no inotify at
 * all). The net's intervals come from a {@link Backoff}: a fixed period is a backoff whose
 * floor is its ceiling. A directory that is missing is watched once a check finds it.
 *
 * <p>Loop thread only, from {@link #start()} to {@link #close()}; the listener may close the
 * watcher from inside a callback.
 */
public final class DirectoryWatcher implements AutoCloseable {

    /** A name in a watched directory that appeared (created, moved in, attributes changed) or went. */
    public record Change(Path dir, String name, boolean present) {
    }

    /** Called on the loop thread. */
    public interface Listener {
        /** What inotify said, in order; the same name may come more than once. */
        void changed(List<Change> changes);

        /** Look at everything again: the safety net fired, or a watched directory itself went away. */
        void check();
    }

    private static final System.Logger LOG = System.getLogger(DirectoryWatcher.class.getName());
    private static final int MASK = Inotify.IN_CREATE | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM
            | Inotify.IN_MOVED_TO | Inotify.IN_DELETE_SELF | Inotify.IN_ATTRIB;
    private static final int APPEARED = Inotify.IN_CREATE | Inotify.IN_MOVED_TO | Inotify.IN_ATTRIB;
    private static final int WENT = Inotify.IN_DELETE | Inotify.IN_MOVED_FROM;

    private final EventLoop loop;
    private final List<Path> directories;
    private final Backoff safetyNet;
    private final Listener listener;
    /** Watch descriptor to the directory it watches, for the inotify instance now open. */
    private final Map<Integer, Path> watches = new HashMap<>();
    private Arena arena;
    private MemorySegment buffer;
    private Registration inotify;
    private Timer timer;
    private long checks;
    private boolean warned;
    private boolean closed;

    public DirectoryWatcher(EventLoop loop, List<Path> directories, Backoff safetyNet, Listener listener) {
        this.loop = loop;
        this.directories = List.copyOf(directories);
        this.safetyNet = safetyNet;
        this.listener = listener;
    }

    /** Watches what exists and arms the safety net; the first check is the net's first turn. */
    public void start() {
        loop.checkInLoop("DirectoryWatcher.start");
        arena = Arena.ofConfined();
        buffer = arena.allocate(64 * 1024, 8);
        watch();
        arm();
    }

    /** Opens inotify if needed and adds a watch for each directory that exists and has none. */
    private void watch() {
        if (closed || directories.stream().noneMatch(Files::isDirectory)) {
            return;
        }
        try {
            if (inotify == null) {
                open();
            }
            for (Path dir : directories) {
                if (!watches.containsValue(dir) && Files.isDirectory(dir)) {
                    watches.put(Inotify.addWatch(inotify.fd(), dir.toString(), MASK), dir);
                }
            }
        } catch (NativeException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "cannot watch {0} ({1}); relying on the timed checks",
                        directories, e.getMessage());
            }
        }
    }

    private void open() throws NativeException {
        Fd fd = Inotify.init();
        try {
            inotify = loop.register(fd, IoEvents.READABLE, false, (registration, events) -> drain());
        } catch (NativeException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private void drain() throws NativeException {
        List<Change> changes = new ArrayList<>();
        boolean[] lost = {false};
        long n;
        while ((n = inotify.fd().read(buffer)) > 0) {
            Inotify.forEachEvent(buffer, n, (watch, mask, name) -> {
                Path dir = watches.get(watch);
                if (name == null || dir == null) {
                    lost[0] |= Inotify.any(mask, Inotify.IN_DELETE_SELF);
                } else if (Inotify.any(mask, APPEARED)) {
                    changes.add(new Change(dir, name, true));
                } else if (Inotify.any(mask, WENT)) {
                    changes.add(new Change(dir, name, false));
                }
            });
        }
        boolean restart = n != Syscalls.WOULD_BLOCK || lost[0];
        if (restart) {
            // A watched directory went away (or inotify ended): start afresh, and look at everything.
            closeInotify();
        }
        if (!changes.isEmpty()) {
            listener.changed(changes);
        }
        if (closed) {
            return;
        }
        watch();
        if (restart) {
            listener.check();
        }
    }

    private void arm() {
        timer = loop.schedule(safetyNet.next(), () -> {
            checks++;
            watch();
            arm();
            listener.check();
        });
    }

    /** How many times the safety net has fired. */
    public long checks() {
        return checks;
    }

    /** True while inotify watches at least one directory. */
    public boolean isWatching() {
        return inotify != null && !watches.isEmpty();
    }

    private void closeInotify() {
        if (inotify != null) {
            inotify.close();
            inotify = null;
        }
        watches.clear();
    }

    @Override
    public void close() {
        closed = true;
        if (timer != null) {
            timer.cancel();
        }
        closeInotify();
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
