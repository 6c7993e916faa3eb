package io.qtx.agent.port;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.epoll.Timer;
import io.qtx.ffi.Inotify;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;

/**
 * Wakes its owner when the port may have appeared: on any change in the watched directories
 * (inotify, so the wait costs nothing), and on a slow timer as a safety net for changes
 * inotify cannot see (sysfs). The timer backs off from 1 s to 30 s. Loop thread only.
 */
final class PortWaiter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PortWaiter.class.getName());
    private static final Duration MAX_CHECK = Duration.ofSeconds(30);

    private final EventLoop loop;
    private final List<String> directories;
    private final Runnable onChange;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment drain = arena.allocate(4096);
    private Registration registration;
    private Timer timer;
    private Duration nextCheck = Duration.ofSeconds(1);

    PortWaiter(EventLoop loop, List<String> directories, Runnable onChange) {
        this.loop = loop;
        this.directories = directories;
        this.onChange = onChange;
    }

    /** Starts waiting; {@code onChange} runs on the loop at each possible appearance. */
    void start() {
        try {
            Fd fd = Inotify.init();
            registration = loop.register(fd, IoEvents.READABLE, false, (reg, events) -> {
                drain(reg.fd());
                addWatches();
                onChange.run();
            });
            addWatches();
        } catch (NativeException e) {
            LOG.log(System.Logger.Level.WARNING, "no inotify (" + e.getMessage() + "): checking on a timer only");
        }
        arm();
    }

    private void addWatches() {
        int mask = Inotify.IN_CREATE | Inotify.IN_MOVED_TO | Inotify.IN_ATTRIB | Inotify.IN_DELETE;
        for (String dir : directories) {
            if (registration != null && Files.isDirectory(Path.of(dir))) {
                try {
                    Inotify.addWatch(registration.fd(), dir, mask);
                } catch (NativeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "watch " + dir + ": " + e.getMessage());
                }
            }
        }
    }

    private void drain(Fd fd) throws NativeException {
        while (fd.read(drain) > 0) {
            // Which file changed does not matter: the owner looks again.
        }
    }

    private void arm() {
        timer = loop.schedule(nextCheck, () -> {
            Duration doubled = nextCheck.multipliedBy(2);
            nextCheck = doubled.compareTo(MAX_CHECK) > 0 ? MAX_CHECK : doubled;
            arm();
            onChange.run();
        });
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.cancel();
        }
        if (registration != null) {
            registration.close();
        }
        arena.close();
    }
}
