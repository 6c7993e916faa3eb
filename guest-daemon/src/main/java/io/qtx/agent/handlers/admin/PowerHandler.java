package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.qtx.agent.handlers.RequestContext;
import io.qtx.agent.handlers.RequestHandler;
import io.qtx.agent.policy.Refusal;
import io.qtx.proto.Done;
import io.qtx.proto.PowerAction;
import io.qtx.proto.PowerRequest;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * Shutdown, reboot, halt. The Done is queued first; the agent's own timer then waits the
 * requested delay, to the millisecond (shutdown(8) would round it to minutes), and acts.
 */
public final class PowerHandler implements RequestHandler {

    /** Longest delay accepted: a day. */
    static final long MAX_DELAY_MS = 24L * 3600 * 1000;

    /** What actually powers the machine off; tests give a fake. */
    public interface Actions {
        void perform(PowerAction action, String message) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(PowerHandler.class.getName());

    private final Actions actions;
    private final Scheduler scheduler;

    public PowerHandler(Actions actions, Scheduler scheduler) {
        this.actions = actions;
        this.scheduler = scheduler;
    }

    @Override
    public RequestKind kind() {
        return RequestKind.REQUEST_KIND_POWER;
    }

    @Override
    public boolean blocking() {
        return false;
    }

    @Override
    public String summary(Request request) {
        return "action=" + request.getPower().getAction().name().substring("POWER_ACTION_".length()).toLowerCase()
                + " delay_ms=" + request.getPower().getDelayMs();
    }

    @Override
    public Response handle(Request request, RequestContext context) throws Refusal {
        PowerRequest p = request.getPower();
        if (p.getAction() == PowerAction.POWER_ACTION_UNSPECIFIED || p.getAction() == PowerAction.UNRECOGNIZED) {
            throw Refusal.badArgument("power action is not set");
        }
        long delay = Integer.toUnsignedLong(p.getDelayMs());
        if (delay > MAX_DELAY_MS) {
            throw Refusal.badArgument("delay_ms " + delay + " is over a day");
        }
        context.afterReply(() -> scheduler.later(Duration.ofMillis(delay), () -> {
            LOG.log(System.Logger.Level.WARNING, "power " + p.getAction() + " now, as the host asked");
            // The action spawns a process: off the loop, on a thread of its own.
            Thread.ofPlatform().name("power").daemon().start(() -> {
                try {
                    actions.perform(p.getAction(), p.getMessage());
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.ERROR, "power " + p.getAction() + " failed: " + e.getMessage());
                }
            });
        }));
        return Response.newBuilder().setDone(Done.getDefaultInstance()).build();
    }

    /** How long the clean path may take before the kernel is asked directly. */
    static final long FORCE_AFTER_MS = 20_000;

    /**
     * systemctl where systemd runs, else the classic commands (busybox has them too), which
     * ask init; an init that does not know the request (a script as PID 1) leaves the machine
     * up, so after {@link #FORCE_AFTER_MS} the same command runs with -f, straight to the kernel.
     */
    public static Actions system() {
        return (action, message) -> {
            boolean systemd = Files.isDirectory(Path.of("/run/systemd/system"));
            String verb = switch (action) {
                case POWER_ACTION_SHUTDOWN -> "poweroff";
                case POWER_ACTION_REBOOT -> "reboot";
                default -> "halt";
            };
            if (!message.isEmpty() && Files.isExecutable(Path.of("/usr/bin/wall"))) {
                Commands.run(List.of("/usr/bin/wall", message), new byte[0]);
            }
            Commands.run(systemd ? List.of("systemctl", verb) : List.of(verb), new byte[0]);
            try {
                Thread.sleep(FORCE_AFTER_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.log(System.Logger.Level.WARNING, verb + " did not happen within " + FORCE_AFTER_MS + " ms: forcing it");
            Commands.run(List.of(verb, "-f"), new byte[0]);
        };
    }
}
