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

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestDeadline;
import io.qtx.agent.handlers.Users;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.PowerAction;
import io.qtx.proto.PowerRequest;
import io.qtx.proto.Request;
import io.qtx.proto.Response;
import io.qtx.proto.SetPasswordRequest;
import io.qtx.proto.SetTimeRequest;
import io.qtx.proto.SyncTimeRequest;
import io.qtx.proto.TimeResult;
import io.qtx.testkit.Await;

/** Power, password and time with the real action replaced: nothing here touches the machine. */
class AdminHandlersTest {

    /** Holds scheduled tasks until the test runs them. */
    static final class ManualScheduler implements Scheduler {
        final List<Duration> delays = new ArrayList<>();
        final List<Runnable> tasks = new ArrayList<>();
        final List<Boolean> cancelled = new ArrayList<>();

        @Override
        public Runnable later(Duration delay, Runnable task) {
            int i = tasks.size();
            delays.add(delay);
            tasks.add(task);
            cancelled.add(false);
            return () -> cancelled.set(i, true);
        }

        void runAll() {
            for (int i = 0; i < tasks.size(); i++) {
                if (!cancelled.get(i)) {
                    tasks.get(i).run();
                }
            }
        }
    }

    @Test
    void powerRepliesFirstThenActsAfterTheExactDelay() throws Exception {
        List<PowerAction> done = java.util.Collections.synchronizedList(new ArrayList<>());
        ManualScheduler scheduler = new ManualScheduler();
        PowerHandler power = new PowerHandler((a, m) -> done.add(a), scheduler);
        RequestContext ctx = context();
        Response r = power.handle(request().setPower(PowerRequest.newBuilder()
                .setAction(PowerAction.POWER_ACTION_REBOOT).setDelayMs(1500)).build(), ctx);
        assertTrue(r.hasDone());
        assertTrue(done.isEmpty(), "nothing happens before the reply is sent");
        assertTrue(scheduler.tasks.isEmpty(), "not even scheduled before the reply");
        // What the dispatcher does once the reply is queued:
        ctx.takeAfterReply().forEach(Runnable::run);
        assertEquals(List.of(Duration.ofMillis(1500)), scheduler.delays, "milliseconds, not rounded to minutes");
        assertTrue(done.isEmpty());
        scheduler.runAll();
        Await.until("the reboot done by the scheduled task", () -> !done.isEmpty());
        assertEquals(List.of(PowerAction.POWER_ACTION_REBOOT), done);
    }

    @Test
    void powerWithoutActionOrWithHugeDelayIsRefused() {
        PowerHandler power = new PowerHandler((a, m) -> { }, new ManualScheduler());
        for (PowerRequest.Builder bad : new PowerRequest.Builder[] {PowerRequest.newBuilder(),
            PowerRequest.newBuilder().setAction(PowerAction.POWER_ACTION_HALT).setDelayMs(-1)}) {
            Refusal r = assertThrows(Refusal.class, () -> power.handle(request().setPower(bad).build(), context()));
            assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, r.code());
        }
    }

    @Test
    void passwordGoesToTheSetterAndNowhereElse() throws Exception {
        List<String> calls = new ArrayList<>();
        PasswordHandler h = new PasswordHandler((u, p, c) -> calls.add(u + "/" + p + "/" + c), Users.system());
        Request req = request().setSetPassword(SetPasswordRequest.newBuilder().setUser("nobody")
                .setPassword("s3cret-pw").setCrypted(false)).build();
        assertTrue(h.handle(req, context()).hasDone());
        assertEquals(List.of("nobody/s3cret-pw/false"), calls);
        assertFalse(h.summary(req).contains("s3cret"), h.summary(req));
        for (SetPasswordRequest.Builder bad : new SetPasswordRequest.Builder[] {
            SetPasswordRequest.newBuilder().setUser("no-such-user-qtx").setPassword("x"),
            SetPasswordRequest.newBuilder().setUser("root:0").setPassword("x"),
            SetPasswordRequest.newBuilder().setUser("nobody").setPassword("a\nroot:x"),
            SetPasswordRequest.newBuilder().setUser("nobody")}) {
            Refusal r = assertThrows(Refusal.class, () -> h.handle(request().setSetPassword(bad).build(), context()));
            assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, r.code());
            assertFalse(r.getMessage().contains("root:x"));
        }
        assertEquals(1, calls.size());
    }

    /** A clock that moves only when set. */
    static final class FakeClock implements TimeHandlers.Clock {
        long now = 1_700_000_000_000L;
        long hardware = 1_800_000_000_000L;
        final List<String> calls = new ArrayList<>();

        @Override
        public long now() {
            return now;
        }

        @Override
        public void set(long unixMs) {
            calls.add("set " + unixMs);
            now = unixMs;
        }

        @Override
        public void systemToHardware() {
            calls.add("systohc");
            hardware = now;
        }

        @Override
        public void hardwareToSystem() throws IOException {
            calls.add("hctosys");
            now = hardware;
        }
    }

    @Test
    void setTimeStepsTheClockAndReportsTheStep() throws Exception {
        FakeClock clock = new FakeClock();
        long t0 = System.nanoTime();
        TimeResult r = TimeHandlers.set(clock).handle(request().setSetTime(SetTimeRequest.newBuilder()
                .setUnixMs(1_700_000_060_000L).setSetHardwareClock(true)).build(), context()).getTime();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1_700_000_060_000L, r.getUnixMs());
        // The step is the new time minus where the old clock would be by then: 60 s less whatever
        // the handling took, however long that was on a loaded machine.
        assertTrue(r.getAdjustedByMs() <= 60_000 && r.getAdjustedByMs() >= 60_000 - tookMs - 1,
                "adjusted by " + r.getAdjustedByMs() + " ms, handling took " + tookMs + " ms");
        assertEquals(List.of("set 1700000060000", "systohc"), clock.calls);
        Refusal seconds = assertThrows(Refusal.class, () -> TimeHandlers.set(clock).handle(request()
                .setSetTime(SetTimeRequest.newBuilder().setUnixMs(1_700_000_000L)).build(), context()));
        assertEquals(ErrorCode.ERROR_CODE_BAD_ARGUMENT, seconds.code());
    }

    @Test
    void setTimeAddsBackTheTimeTheRequestSpentOnTheWay() throws Exception {
        FakeClock clock = new FakeClock();
        long atAgentMs = RequestDeadline.nowMs() - 3_000; // the host's "now" was 3 s ago on the agent's clock
        TimeHandlers.set(clock).handle(request().setSetTime(SetTimeRequest.newBuilder()
                .setUnixMs(1_700_000_060_000L).setAtAgentMs(atAgentMs)).build(), context());
        assertEquals(1, clock.calls.size());
        long set = Long.parseLong(clock.calls.get(0).substring("set ".length()));
        assertTrue(set >= 1_700_000_063_000L && set < 1_700_000_063_000L + 10_000, "set " + set);
        // A moment the host put ahead of the agent's now adds nothing, and never goes back.
        assertEquals(0, TimeHandlers.inTransitMs(RequestDeadline.nowMs() + 5_000));
        assertEquals(0, TimeHandlers.inTransitMs(0));
    }

    @Test
    void syncTimeReadsTheHardwareClock() throws Exception {
        FakeClock clock = new FakeClock();
        TimeResult r = TimeHandlers.sync(clock).handle(request().setSyncTime(SyncTimeRequest.getDefaultInstance())
                .build(), context()).getTime();
        assertEquals(1_800_000_000_000L, r.getUnixMs());
        assertEquals(List.of("hctosys"), clock.calls);
    }

    @Test
    void systemToolsRunWithoutTheAgentsEnvironment() throws Exception {
        String env = Commands.run(List.of("env"), new byte[0]);
        assertEquals("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C.UTF-8",
                String.join("\n", env.lines().sorted(java.util.Comparator.reverseOrder()).toList()));
    }
}
