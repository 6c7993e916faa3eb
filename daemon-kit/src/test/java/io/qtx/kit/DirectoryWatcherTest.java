package io.qtx.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.epoll.EventLoop;

/** inotify's news, the safety net's checks, and a directory that comes late or is replaced. */
class DirectoryWatcherTest {

    /** Far beyond any wait below: what arrives within a test's bound came from inotify. */
    private static final Duration NO_NET = Duration.ofHours(1);
    private static final long BOUND_SECONDS = 30;

    @TempDir
    Path dir;

    private EventLoop loop;
    private final BlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    private final AtomicInteger checks = new AtomicInteger();
    private DirectoryWatcher watcher;

    @BeforeEach
    void startLoop() throws Exception {
        loop = EventLoop.start("watcher-test");
    }

    @AfterEach
    void stop() throws Exception {
        onLoop(() -> {
            watcher.close();
            return null;
        });
        loop.close();
    }

    private <T> T onLoop(Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(task.get()));
        return result.get(BOUND_SECONDS, TimeUnit.SECONDS);
    }

    private void start(List<Path> dirs, Backoff net) throws Exception {
        watcher = new DirectoryWatcher(loop, dirs, net, new DirectoryWatcher.Listener() {
            @Override
            public void changed(List<DirectoryWatcher.Change> changes) {
                heard.addAll(changes);
            }

            @Override
            public void check() {
                checks.incrementAndGet();
                heard.add("check");
            }
        });
        onLoop(() -> {
            watcher.start();
            return null;
        });
    }

    /** The next thing heard that is not a safety-net check. */
    private DirectoryWatcher.Change nextChange() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < deadline) {
            Object o = heard.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (o instanceof DirectoryWatcher.Change c) {
                return c;
            }
        }
        throw new AssertionError("no change heard within " + BOUND_SECONDS + " s");
    }

    @Test
    void namesThatAppearAndGoAreToldByInotifyWithoutTheNet() throws Exception {
        start(List.of(dir), Backoff.exact(NO_NET, NO_NET));
        assertTrue(onLoop(watcher::isWatching));
        Files.writeString(dir.resolve("a.sock"), "");
        assertEquals(new DirectoryWatcher.Change(dir, "a.sock", true), nextChange());
        Files.delete(dir.resolve("a.sock"));
        DirectoryWatcher.Change gone = nextChange();
        while (gone.present()) {
            gone = nextChange(); // IN_ATTRIB and IN_CREATE may both have been told for the write
        }
        assertEquals(new DirectoryWatcher.Change(dir, "a.sock", false), gone);
        assertEquals(0, checks.get());
    }

    @Test
    void theNetChecksWithItsBackoffAndAMissingDirectoryIsWatchedOnceItExists() throws Exception {
        Path late = dir.resolve("late");
        start(List.of(late), Backoff.exact(Duration.ofMillis(20), Duration.ofMillis(40)));
        assertFalse(onLoop(watcher::isWatching));
        assertNotNull(heard.poll(BOUND_SECONDS, TimeUnit.SECONDS), "the safety net checks with nothing to watch");
        Files.createDirectory(late);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (!onLoop(watcher::isWatching)) {
            assertTrue(System.nanoTime() < deadline, "the late directory was never watched");
            heard.poll(1, TimeUnit.SECONDS); // the next check
        }
        Files.writeString(late.resolve("b"), "");
        assertEquals(new DirectoryWatcher.Change(late, "b", true), nextChange());
        assertTrue(onLoop(watcher::checks) >= 1);
    }

    @Test
    void aRemovedDirectoryIsCheckedAtOnceWithoutTheNet() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        start(List.of(sub), Backoff.exact(NO_NET, NO_NET));
        assertTrue(onLoop(watcher::isWatching));
        Files.delete(sub);
        Object o;
        do {
            o = heard.poll(BOUND_SECONDS, TimeUnit.SECONDS);
            assertNotNull(o, "the directory's removal was never told");
        } while (!"check".equals(o));
        assertFalse(onLoop(watcher::isWatching));
        assertEquals(0, onLoop(watcher::checks), "the check came from inotify, not the net");
    }

    @Test
    void theListenerMayCloseTheWatcherFromACallback() throws Exception {
        watcher = new DirectoryWatcher(loop, List.of(dir), Backoff.exact(NO_NET, NO_NET),
                new DirectoryWatcher.Listener() {
                    @Override
                    public void changed(List<DirectoryWatcher.Change> changes) {
                        watcher.close();
                        heard.add("closed");
                    }

                    @Override
                    public void check() {
                        heard.add("check");
                    }
                });
        onLoop(() -> {
            watcher.start();
            return null;
        });
        Files.writeString(dir.resolve("d"), "");
        assertEquals("closed", heard.poll(BOUND_SECONDS, TimeUnit.SECONDS));
        assertFalse(onLoop(watcher::isWatching));
        Files.writeString(dir.resolve("e"), "");
        assertTrue(onLoop(heard::isEmpty), "nothing heard after close");
    }
}
