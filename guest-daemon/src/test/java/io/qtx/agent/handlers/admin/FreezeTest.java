package io.qtx.agent.handlers.admin;

import static io.qtx.agent.handlers.Requests.context;
import static io.qtx.agent.handlers.Requests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.Refusal;
import io.qtx.agent.telemetry.FilesystemReader.Mount;
import io.qtx.ffi.NativeException;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FsQuiesceRequest;
import io.qtx.proto.FsQuiesceResult;
import io.qtx.proto.FsThawRequest;
import io.qtx.testkit.Await;

/**
 * The freeze rules with a recording freezer (one of whose mounts can hang in FIFREEZE), and
 * the real FFM ioctl against /proc, which refuses it.
 */
class FreezeTest {

    static final class RecordingFreezer implements Freezer {
        final List<String> log = new ArrayList<>();
        final Set<String> frozen = new HashSet<>();
        String failOn;
        /** FIFREEZE of this mount waits for {@link #release}, as one on a slow or hung disk does. */
        String blockOn;
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void freeze(String m) throws IOException {
            if (m.equals(failOn)) {
                throw new IOException("freeze " + m + " failed");
            }
            if (m.equals(blockOn)) {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            synchronized (this) {
                log.add("freeze " + m);
                frozen.add(m);
            }
        }

        @Override
        public synchronized void thaw(String m) {
            log.add("thaw " + m);
            frozen.remove(m);
        }

        @Override
        public synchronized boolean thawIfFrozen(String m) {
            if (!frozen.contains(m)) {
                return false;
            }
            thaw(m);
            return true;
        }

        synchronized List<String> log() {
            return List.copyOf(log);
        }
    }

    /** Records the listener's calls, which the agent's log gate follows. */
    static final class Gate implements FreezeState.Listener {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized void holding() {
            calls.add("holding");
        }

        @Override
        public synchronized void released() {
            calls.add("released");
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }
    }

    private static final List<Mount> MOUNTS = List.of(new Mount("/dev/vda", "/", "ext4", false),
            new Mount("/dev/vdb", "/data", "xfs", false), new Mount("/dev/sr0", "/media", "iso9660", true),
            new Mount("srv:/x", "/nfs", "nfs4", false));

    private final RecordingFreezer freezer = new RecordingFreezer();
    private final FreezeState state = new FreezeState(freezer);
    private final Gate gate = new Gate();
    private final RequestHandler quiesce = FreezeHandlers.quiesce(state, () -> MOUNTS, Duration.ofMinutes(10));
    private final RequestHandler thaw = FreezeHandlers.thaw(state);

    FreezeTest() {
        state.listener(gate);
    }

    @AfterEach
    void unblock() {
        freezer.release.countDown();
        state.thawAll("test over");
    }

    private FsQuiesceResult freeze(FsQuiesceRequest.Builder q) throws Exception {
        return quiesce.handle(request().setFsQuiesce(q).build(), context()).getFsQuiesce();
    }


    @Test
    void allFreezableLocalFilesystemsThenThawInReverse() throws Exception {
        FsQuiesceResult r = freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(30_000));
        assertEquals(List.of("/", "/data"), r.getFrozenList());
        assertTrue(state.isFrozen());
        assertTrue(r.getAutoThawUnixMs() > System.currentTimeMillis());
        var t = thaw.handle(request().setFsThaw(FsThawRequest.getDefaultInstance()).build(), context()).getFsThaw();
        assertEquals(List.of("/data", "/"), t.getThawedList());
        assertEquals(List.of("freeze /", "freeze /data", "thaw /data", "thaw /"), freezer.log());
        assertFalse(state.isFrozen());
        assertEquals(List.of("holding", "released"), gate.calls(), "logs held from before the freeze to after the thaw");
    }

    @Test
    void autoThawFiresWithoutTheHostOrTheLoop() throws Exception {
        // No scheduler and no loop: the guard is a thread of its own.
        freeze(FsQuiesceRequest.newBuilder().addMountpoints("/data").setAutoThawAfterMs(200));
        Await.until("the auto-thaw", () -> !state.isFrozen());
        assertEquals(List.of("freeze /data", "thaw /data"), freezer.log());
        assertEquals(List.of("holding", "released"), gate.calls());
    }

    @Test
    void autoThawIsArmedBeforeTheFirstFreezeAndEndsAHungOne() throws Exception {
        freezer.blockOn = "/";
        CompletableFuture<Void> freezing = CompletableFuture.runAsync(() -> {
            try {
                freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(100));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        assertTrue(freezer.blocked.await(20, TimeUnit.SECONDS));
        assertEquals(List.of("holding"), gate.calls(), "logs are held before the first FIFREEZE");
        // The deadline passes while FIFREEZE of "/" hangs; when it returns, "/" is thawed at once
        // and "/data" is never frozen.
        Await.until("the auto-thaw while FIFREEZE hangs", () -> state.autoThawUnixMs() == 0);
        freezer.release.countDown();
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> freezing.get(20, TimeUnit.SECONDS));
        assertTrue(failure.getCause().getMessage().contains("thawed while freezing"), failure.getCause().getMessage());
        assertEquals(List.of("freeze /", "thaw /"), freezer.log());
        assertFalse(state.isFrozen());
        assertEquals(List.of("holding", "released"), gate.calls());
    }

    @Test
    void aThawNeverWaitsForAFreezeInProgress() throws Exception {
        freezer.blockOn = "/data";
        CompletableFuture<Void> freezing = CompletableFuture.runAsync(() -> {
            try {
                freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(600_000));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        assertTrue(freezer.blocked.await(20, TimeUnit.SECONDS));
        // "/" is frozen, FIFREEZE of "/data" hangs: the host's thaw (on the loop) returns at once.
        CompletableFuture<List<String>> thawed = CompletableFuture.supplyAsync(() -> state.thawAll("the host asked"),
                r -> Thread.ofPlatform().start(r));
        assertEquals(List.of("/"), thawed.get(20, TimeUnit.SECONDS));
        assertTrue(state.isFrozen(), "still frozen: /data's FIFREEZE has not returned");
        assertFalse(freezing.isDone());
        freezer.release.countDown();
        assertThrows(java.util.concurrent.ExecutionException.class, () -> freezing.get(20, TimeUnit.SECONDS));
        assertEquals(List.of("freeze /", "thaw /", "freeze /data", "thaw /data"), freezer.log());
        assertFalse(state.isFrozen());
        assertEquals(List.of("holding", "released"), gate.calls());
    }

    @Test
    void aLoopThatMissesItsBeatGetsTheFilesystemsThawedBeforeTheWatchdogKill() throws Exception {
        AtomicBoolean stuck = new AtomicBoolean();
        state.watchLoop(stuck::get, Duration.ofMillis(10));
        freeze(FsQuiesceRequest.newBuilder().addMountpoints("/").setAutoThawAfterMs(600_000));
        assertTrue(state.isFrozen());
        stuck.set(true);
        Await.until("the thaw for a stuck loop", () -> !state.isFrozen());
        assertEquals(List.of("freeze /", "thaw /"), freezer.log());
    }

    @Test
    void atStartWhatAnEarlierAgentLeftFrozenIsThawed() throws Exception {
        freezer.freeze("/data");
        assertEquals(List.of("/data"), state.thawLeftovers(FreezeHandlers.freezable(MOUNTS)));
        assertEquals(List.of("freeze /data", "thaw /data"), freezer.log());
        assertEquals(List.of(), state.thawLeftovers(FreezeHandlers.freezable(MOUNTS)), "nothing frozen: nothing to do");
    }

    @Test
    void aFailedFreezeThawsWhatWasFrozen() {
        freezer.failOn = "/data";
        assertThrows(IOException.class, () -> freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(1000)));
        assertEquals(List.of("freeze /", "thaw /"), freezer.log());
        assertFalse(state.isFrozen());
        assertEquals(List.of("holding", "released"), gate.calls());
    }

    @Test
    void badQuiesceRequestsAreRefused() throws Exception {
        Refusal noDeadline = assertThrows(Refusal.class, () -> freeze(FsQuiesceRequest.newBuilder()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, noDeadline.code());
        Refusal tooLong = assertThrows(Refusal.class,
                () -> freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(11 * 60_000)));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, tooLong.code());
        Refusal unknown = assertThrows(Refusal.class,
                () -> freeze(FsQuiesceRequest.newBuilder().addMountpoints("/proc").setAutoThawAfterMs(1000)));
        assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, unknown.code());
        freeze(FsQuiesceRequest.newBuilder().addMountpoints("/").setAutoThawAfterMs(60_000));
        Refusal twice = assertThrows(Refusal.class,
                () -> freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(1000)));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, twice.code());
        assertTrue(freezer.log().stream().noneMatch(l -> l.contains("/proc")));
    }

    @Test
    void theRealIoctlReachesTheKernelAndReportsItsRefusal() {
        // procfs implements neither freeze nor thaw: the kernel answers without freezing anything.
        NativeException f = assertThrows(NativeException.class, () -> Freezer.ioctl().freeze("/proc"));
        assertTrue(f.getMessage().startsWith("ioctl(FIFREEZE)"), f.getMessage());
        assertTrue(f.errno() > 0);
        NativeException t = assertThrows(NativeException.class, () -> Freezer.ioctl().thaw("/proc"));
        assertTrue(t.getMessage().startsWith("ioctl(FITHAW)"), t.getMessage());
        NativeException missing = assertThrows(NativeException.class, () -> Freezer.ioctl().freeze("/no/such/mount"));
        assertTrue(missing.getMessage().startsWith("open"), missing.getMessage());
    }
}
