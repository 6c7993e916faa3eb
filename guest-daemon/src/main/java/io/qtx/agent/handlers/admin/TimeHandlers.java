package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.util.List;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestDeadline;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.Refusal;
import io.qtx.ffi.AdminCalls;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;
import io.qtx.proto.TimeResult;

/** Setting the guest's clock: to a given time, or from the hardware clock QEMU keeps. */
public final class TimeHandlers {

    /** 2000-01-01: anything earlier is a unit mistake (seconds for milliseconds), not a time. */
    static final long EARLIEST_MS = 946_684_800_000L;

    /** The machine's clocks; tests give a fake. */
    public interface Clock {
        long now();

        void set(long unixMs) throws IOException;

        void systemToHardware() throws IOException;

        void hardwareToSystem() throws IOException;
    }

    private TimeHandlers() {
    }

    public static RequestHandler set(Clock clock) {
        return new Base(RequestKind.REQUEST_KIND_SET_TIME, clock) {
            @Override
            void change(Request request) throws Refusal, IOException {
                long to = request.getSetTime().getUnixMs();
                if (to < EARLIEST_MS) {
                    throw Refusal.badArgument("unix_ms " + to + " is before 2000 (seconds sent as milliseconds?)");
                }
                clock.set(to + inTransitMs(request.getSetTime().getAtAgentMs()));
                if (request.getSetTime().getSetHardwareClock()) {
                    clock.systemToHardware();
                }
            }

            @Override
            public String summary(Request request) {
                return "unix_ms=" + request.getSetTime().getUnixMs();
            }
        };
    }

    /**
     * How long ago, on this agent's monotonic clock, the host's unix_ms was right; 0 when the
     * host did not say. Never negative: a moment the host's conversion puts ahead of now (it
     * errs early, never late) adds nothing.
     */
    static long inTransitMs(long atAgentMs) {
        return atAgentMs == 0 ? 0 : Math.max(0, RequestDeadline.nowMs() - atAgentMs);
    }

    public static RequestHandler sync(Clock clock) {
        return new Base(RequestKind.REQUEST_KIND_SYNC_TIME, clock) {
            @Override
            void change(Request request) throws IOException {
                clock.hardwareToSystem();
            }
        };
    }

    /** clock_settime(CLOCK_REALTIME) through FFM; hwclock(8) for the hardware clock. */
    public static Clock system() {
        return new Clock() {
            @Override
            public long now() {
                return System.currentTimeMillis();
            }

            @Override
            public void set(long unixMs) throws IOException {
                AdminCalls.setRealtime(unixMs);
            }

            @Override
            public void systemToHardware() throws IOException {
                Commands.run(List.of("hwclock", "--systohc", "--utc"), new byte[0]);
            }

            @Override
            public void hardwareToSystem() throws IOException {
                Commands.run(List.of("hwclock", "--hctosys", "--utc"), new byte[0]);
            }
        };
    }

    private abstract static class Base implements RequestHandler {

        private final RequestKind kind;
        private final Clock clock;

        Base(RequestKind kind, Clock clock) {
            this.kind = kind;
            this.clock = clock;
        }

        abstract void change(Request request) throws Refusal, IOException;

        @Override
        public RequestKind kind() {
            return kind;
        }

        @Override
        public boolean blocking() {
            return true;
        }

        @Override
        public Response handle(Request request, RequestContext context) throws Refusal, IOException {
            long before = clock.now();
            long mono = System.nanoTime();
            change(request);
            long after = clock.now();
            // What the step was: the new time minus where the old clock would be now.
            long oldNow = before + (System.nanoTime() - mono) / 1_000_000;
            return Response.newBuilder().setTime(TimeResult.newBuilder()
                    .setUnixMs(after).setAdjustedByMs(after - oldNow)).build();
        }
    }
}
