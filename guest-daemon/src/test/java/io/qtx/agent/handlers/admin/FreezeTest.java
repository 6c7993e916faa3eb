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
import java.util.List;

import org.junit.jupiter.api.Test;

import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.Refusal;
import io.qtx.agent.telemetry.FilesystemReader.Mount;
import io.qtx.ffi.NativeException;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.FsQuiesceRequest;
import io.qtx.proto.FsQuiesceResult;
import io.qtx.proto.FsThawRequest;

/** The freeze rules with a recording freezer, and the real FFM ioctl against /proc, which refuses it. */
class FreezeTest {

    static final class RecordingFreezer implements Freezer {
        final List<String> log = new ArrayList<>();
        String failOn;

        @Override
        public void freeze(String m) throws IOException {
            if (m.equals(failOn)) {
                throw new IOException("freeze " + m + " failed");
            }
            log.add("freeze " + m);
        }

        @Override
        public void thaw(String m) {
            log.add("thaw " + m);
        }
    }

    private static final List<Mount> MOUNTS = List.of(new Mount("/dev/vda", "/", "ext4", false),
            new Mount("/dev/vdb", "/data", "xfs", false), new Mount("/dev/sr0", "/media", "iso9660", true),
            new Mount("srv:/x", "/nfs", "nfs4", false));

    private final RecordingFreezer freezer = new RecordingFreezer();
    private final AdminHandlersTest.ManualScheduler scheduler = new AdminHandlersTest.ManualScheduler();
    private final FreezeState state = new FreezeState(freezer, scheduler);
    private final RequestHandler quiesce = FreezeHandlers.quiesce(state, () -> MOUNTS, Duration.ofMinutes(10));
    private final RequestHandler thaw = FreezeHandlers.thaw(state);

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
        assertEquals(List.of("freeze /", "freeze /data", "thaw /data", "thaw /"), freezer.log);
        assertFalse(state.isFrozen());
        assertTrue(scheduler.cancelled.get(0), "the auto-thaw is cancelled by the thaw");
    }

    @Test
    void autoThawFiresWithoutTheHost() throws Exception {
        freeze(FsQuiesceRequest.newBuilder().addMountpoints("/data").setAutoThawAfterMs(5000));
        assertEquals(List.of(Duration.ofMillis(5000)), scheduler.delays);
        scheduler.runAll();
        assertFalse(state.isFrozen());
        assertEquals(List.of("freeze /data", "thaw /data"), freezer.log);
    }

    @Test
    void aFailedFreezeThawsWhatWasFrozen() {
        freezer.failOn = "/data";
        assertThrows(IOException.class, () -> freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(1000)));
        assertEquals(List.of("freeze /", "thaw /"), freezer.log);
        assertFalse(state.isFrozen());
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
        freeze(FsQuiesceRequest.newBuilder().addMountpoints("/").setAutoThawAfterMs(1000));
        Refusal twice = assertThrows(Refusal.class,
                () -> freeze(FsQuiesceRequest.newBuilder().setAutoThawAfterMs(1000)));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, twice.code());
        assertTrue(freezer.log.stream().noneMatch(l -> l.contains("/proc")));
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
