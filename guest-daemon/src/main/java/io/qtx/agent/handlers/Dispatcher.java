package io.qtx.agent.handlers;

import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.qtx.agent.config.RequestKinds;
import io.qtx.agent.policy.Policy;
import io.qtx.agent.policy.Refusal;
import io.qtx.epoll.EventLoop;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.Request;
import io.qtx.proto.RequestKind;
import io.qtx.proto.Response;

/**
 * Takes each request of an established session through the rules, in this order: a kind we
 * serve, a deadline that is set and not yet passed ({@link RequestDeadline}, in the agent's
 * own monotonic clock; a passed one is dropped unanswered and counted: the host has given up
 * on it, and a stale reboot must never fire), the policy, the
 * freeze rule (only thaw and system info while frozen), then the handler: on the loop when it
 * cannot block, else on the bounded worker pool, where the deadline and the session are
 * checked again when a worker takes it. The reply goes back through the loop, and only into
 * the session the request came from.
 *
 * <p>Loop thread only, except where a worker hands its result back with {@code loop.execute}.
 */
public final class Dispatcher {

    /** The session a request arrived on, as the dispatcher needs to see it. */
    public interface SessionView {

        /**
         * Changes whenever the session is re-established; a reply for an older one is dropped.
         * Workers read it too (a request queued past its session's end is not run).
         */
        long epoch();

        /** Largest payload the host accepts. */
        int maxPayloadBytes();

        /** Sends the response to request {@code replyTo}; false when it could not be queued. */
        boolean reply(long replyTo, Response response);

        /** For audit lines: which session. */
        String name();
    }

    /** Room left in a payload for the envelope around a response. */
    private static final int ENVELOPE_ROOM = 1024;

    private final EventLoop loop;
    private final ExecutorService workers;
    private final Policy policy;
    private final Audit audit;
    private final BooleanSupplier frozen;
    private final Map<RequestKind, RequestHandler> handlers = new EnumMap<>(RequestKind.class);
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong repliesDropped = new AtomicLong();

    public Dispatcher(EventLoop loop, ExecutorService workers, Policy policy, Audit audit, BooleanSupplier frozen) {
        this.loop = loop;
        this.workers = workers;
        this.policy = policy;
        this.audit = audit;
        this.frozen = frozen;
    }

    public Dispatcher add(RequestHandler handler) {
        handlers.put(handler.kind(), handler);
        return this;
    }

    /** Kinds with a handler, for the Hello's capabilities. */
    public java.util.Set<RequestKind> served() {
        return java.util.Set.copyOf(handlers.keySet());
    }

    /** Requests dropped because their deadline had passed. */
    public long expired() {
        return expired.get();
    }

    /** Replies not sent because their session ended or the queue was full. */
    public long repliesDropped() {
        return repliesDropped.get();
    }

    public void dispatch(long id, Request request, SessionView session) {
        long started = System.nanoTime();
        RequestKind kind = RequestKind.forNumber(request.getKindCase().getNumber());
        String kindName = kind == null ? "unknown" : RequestKinds.name(kind);
        RequestHandler handler = kind == null ? null : handlers.get(kind);
        if (handler == null) {
            finish(id, session, session.epoch(), kindName, "", started, new RequestContext(0, 0),
                    Errors.response(ErrorCode.ERROR_CODE_UNKNOWN_REQUEST, "no handler for request " + kindName));
            return;
        }
        String summary = handler.summary(request);
        if (request.getDeadlineAgentMs() == 0) {
            finish(id, session, session.epoch(), kindName, summary, started, new RequestContext(0, 0),
                    Errors.response(ErrorCode.ERROR_CODE_BAD_ARGUMENT, "deadline_agent_ms is required"));
            return;
        }
        long leftMs = RequestDeadline.leftMs(request);
        if (leftMs <= 0) {
            expired.incrementAndGet();
            audit.record(session.name(), id, kindName, summary, "expired(" + (-leftMs) + "ms ago)", 0);
            return;
        }
        RequestContext context = new RequestContext(session.maxPayloadBytes() - ENVELOPE_ROOM,
                started + leftMs * 1_000_000L);
        try {
            policy.checkKind(kind);
            checkFreezeRule(kind);
        } catch (Refusal r) {
            finish(id, session, session.epoch(), kindName, summary, started, context, Errors.of(r));
            return;
        }
        long epoch = session.epoch();
        if (!handler.blocking()) {
            finish(id, session, epoch, kindName, summary, started, context, run(handler, request, context));
            return;
        }
        try {
            workers.execute(() -> runTaken(id, request, session, epoch, handler, kind, kindName, summary, started,
                    context));
        } catch (RejectedExecutionException busy) {
            finish(id, session, epoch, kindName, summary, started, context, Errors.response(
                    ErrorCode.ERROR_CODE_INTERNAL, "the agent is busy: every worker is taken and the queue is full"));
        }
    }

    /** A blocking request as a worker takes it from the queue. */
    private void runTaken(long id, Request request, SessionView session, long epoch, RequestHandler handler,
            RequestKind kind, String kindName, String summary, long started, RequestContext context) {
        // Queued behind long work, the request may have outlived its deadline or its session.
        String stale = staleWhenTaken(context, session, epoch);
        if (stale != null) {
            dropTaken(id, session, kindName, summary, started, stale);
            return;
        }
        Response response;
        try {
            // A freeze may have begun while it queued: no write reaches a frozen disk.
            checkFreezeRule(kind);
            response = run(handler, request, context);
        } catch (Refusal frozenMeanwhile) {
            response = Errors.of(frozenMeanwhile);
        }
        Response answer = response;
        try {
            loop.execute(() -> finish(id, session, epoch, kindName, summary, started, context, answer));
        } catch (RejectedExecutionException stopping) {
            // The loop is shutting down: there is no channel left to answer on.
        }
    }

    private void checkFreezeRule(RequestKind kind) throws Refusal {
        if (frozen.getAsBoolean() && kind != RequestKind.REQUEST_KIND_FS_THAW
                && kind != RequestKind.REQUEST_KIND_SYSTEM_INFO) {
            throw Refusal.notAllowed("filesystems are frozen: only fs_thaw, system_info and ping until thawed");
        }
    }

    /**
     * Why a request a worker has just taken must not run: its deadline (as {@link RequestDeadline}
     * set it at arrival) passed while it queued, or its session ended; null when it may run.
     */
    private static String staleWhenTaken(RequestContext context, SessionView session, long epoch) {
        long overNanos = System.nanoTime() - context.deadlineNanos();
        if (overNanos >= 0) {
            return "expired-in-queue(" + overNanos / 1_000_000 + "ms ago)";
        }
        if (session.epoch() != epoch) {
            return "session-ended-in-queue";
        }
        return null;
    }

    /** Worker thread: a request that will not run is dropped unanswered and counted, as at arrival. */
    private void dropTaken(long id, SessionView session, String kindName, String summary, long started, String why) {
        if (why.startsWith("expired")) {
            expired.incrementAndGet();
        } else {
            repliesDropped.incrementAndGet();
        }
        try {
            loop.execute(() -> audit.record(session.name(), id, kindName, summary, why,
                    (System.nanoTime() - started) / 1_000_000));
        } catch (RejectedExecutionException stopping) {
            // no loop, no journal line
        }
    }

    private static Response run(RequestHandler handler, Request request, RequestContext context) {
        try {
            return handler.handle(request, context);
        } catch (Refusal r) {
            return Errors.of(r);
        } catch (IOException e) {
            return Errors.of(e);
        } catch (RuntimeException e) {
            System.getLogger(Dispatcher.class.getName()).log(System.Logger.Level.ERROR,
                    "handler " + handler.kind() + " failed", e);
            return Errors.response(ErrorCode.ERROR_CODE_INTERNAL, handler.kind() + " failed: " + e);
        }
    }

    private void finish(long id, SessionView session, long epoch, String kind, String summary, long started,
                        RequestContext context, Response response) {
        List<Runnable> afterReply = context.takeAfterReply();
        long overdueMs = (System.nanoTime() - context.deadlineNanos()) / 1_000_000;
        if (!afterReply.isEmpty() && overdueMs > 0) {
            // The host gave up while this ran: the agent was stopped or starved between the
            // deadline check and here (seen in QEMU: SIGSTOP landing mid-dispatch, a reboot done
            // 2 s after the host's timeout). What was to follow the answer (power) never happens.
            expired.incrementAndGet();
            audit.record(session.name(), id, kind, summary, "expired(" + overdueMs + "ms ago)",
                    (System.nanoTime() - started) / 1_000_000);
            return;
        }
        String outcome = response.hasError() ? "error:" + response.getError().getCode().name()
                .substring("ERROR_CODE_".length()).toLowerCase(java.util.Locale.ROOT) : "ok";
        boolean sent = session.epoch() == epoch && session.reply(id, response);
        if (!sent) {
            repliesDropped.incrementAndGet();
            outcome += ",reply-dropped";
        }
        audit.record(session.name(), id, kind, summary, outcome, (System.nanoTime() - started) / 1_000_000);
        // Work that must follow the answer (power) runs even when the answer could not go out:
        // the request was valid and accepted.
        for (Runnable action : afterReply) {
            action.run();
        }
    }
}
