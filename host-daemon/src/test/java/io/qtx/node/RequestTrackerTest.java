package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qtx.epoll.EventLoop;
import io.qtx.proto.Envelope;
import io.qtx.proto.Request;
import io.qtx.testkit.Await;

/** Futures with deadlines on loop timers, matched by id, failed together. */
class RequestTrackerTest {

    private EventLoop loop;
    private RequestTracker tracker;
    private final List<RequestKind> timedOut = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        loop = EventLoop.start("tracker-test");
        tracker = new RequestTracker(loop, "vm-t", timedOut::add);
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private <T> T onLoop(Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(s.get()));
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void answersAreMatchedByReplyToWhateverTheOrder() throws Exception {
        var a = onLoop(() -> tracker.track(1, RequestKind.of(Request.KindCase.EXEC), Duration.ofSeconds(30)));
        var b = onLoop(() -> tracker.track(2, RequestKind.API_PING, Duration.ofSeconds(30)));
        assertTrue(onLoop(() -> tracker.complete(Envelope.newBuilder().setId(9).setReplyTo(2).build())));
        assertTrue(b.isDone() && !a.isDone());
        assertFalse(onLoop(() -> tracker.complete(Envelope.newBuilder().setId(10).setReplyTo(2).build())),
                "a second answer to the same request matches nothing");
        assertFalse(onLoop(() -> tracker.complete(Envelope.newBuilder().setId(11).setReplyTo(77).build())));
        assertTrue(onLoop(() -> tracker.complete(Envelope.newBuilder().setId(12).setReplyTo(1).build())));
        assertEquals(12, a.get().envelope().getId());
        assertEquals(2, (long) onLoop(tracker::unmatched));
        assertEquals(0, (int) onLoop(tracker::size));
    }

    @Test
    void aDeadlineFailsTheRequestWith504AndTellsTheOwner() throws Exception {
        var f = onLoop(() -> tracker.track(5, RequestKind.of(Request.KindCase.STAT), Duration.ofMillis(50)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertEquals(NodeException.Code.AGENT_TIMEOUT, ((NodeException) e.getCause()).code());
        assertTrue(e.getCause().getMessage().startsWith("vm-t: stat request got no answer within "), e.getCause().getMessage());
        Await.until("owner told", () -> timedOut.equals(List.of(RequestKind.of(Request.KindCase.STAT))));
        assertFalse(onLoop(() -> tracker.complete(Envelope.newBuilder().setId(6).setReplyTo(5).build())),
                "a late answer is counted, not delivered");
        assertEquals(1, (long) onLoop(tracker::timeouts));
    }

    @Test
    void failAllFailsEveryPendingRequestAtOnceAndCancelsTheirTimers() throws Exception {
        var fs = List.of(onLoop(() -> tracker.track(1, RequestKind.PROBE, Duration.ofMillis(200))),
                onLoop(() -> tracker.track(2, RequestKind.API_PING, Duration.ofSeconds(30))));
        NodeException gone = new NodeException(NodeException.Code.AGENT_DISCONNECTED, "gone");
        onLoop(() -> {
            tracker.failAll(gone);
            return null;
        });
        for (var f : fs) {
            assertTrue(f.isCompletedExceptionally());
        }
        assertEquals(0, (int) onLoop(loop::pendingTimers));
        // Instead of sleeping past the first deadline: a sentinel due after it. Timers fire in
        // deadline order, so once the sentinel's has fired a timer failAll missed would have too.
        RequestKind sentinel = RequestKind.of(Request.KindCase.SYSTEM_INFO);
        onLoop(() -> tracker.track(3, sentinel, Duration.ofMillis(200)));
        Await.until("the sentinel's timeout", () -> timedOut.contains(sentinel));
        assertEquals(List.of(sentinel), timedOut, "a cancelled timer reported no timeout");
        assertEquals(1, (long) onLoop(tracker::timeouts));
    }
}
