package io.qtx.session;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;

/**
 * When a {@link FramedChannel} may read: the per-second buckets of its {@link InboundBudget}
 * (over a rate, reading pauses on a timer until every bucket is clear) and the continuation
 * queued when a turn's budget ran out with more to read. Kept apart from the channel so the
 * read loop says what it does and this says when. Loop thread only.
 */
final class ReadPacing {

    /** The least a rate-limited read asks for, so a frame always progresses. */
    private static final long READ_FLOOR = 1024;

    private final EventLoop loop;
    /** Reads again: the channel's read loop, called when a pause ends or a continuation runs. */
    private final Runnable readAgain;
    private final TokenBucket bytesRate;
    private final TokenBucket framesRate;
    /** Reading stopped until {@link #resumeTimer} fires: the peer is over its rate. */
    private boolean paused;
    private Timer resumeTimer;
    /** A read continuation is queued on the loop: this turn's budget ran out with more to read. */
    private boolean continuationQueued;
    private long throttles;
    private long budgetYields;

    ReadPacing(EventLoop loop, InboundBudget budget, Runnable readAgain) {
        this.loop = loop;
        this.readAgain = readAgain;
        long now = System.nanoTime();
        this.bytesRate = InboundBudget.bucket(budget.bytesPerSecond(), budget.burstSeconds(), now);
        this.framesRate = InboundBudget.bucket(budget.framesPerSecond(), budget.burstSeconds(), now);
    }

    /** Frames that may be decoded now, given {@code perWakeLeft} of this turn's budget. */
    int framesAllowed(int perWakeLeft, long now) {
        return framesRate == null ? perWakeLeft : (int) Math.min(perWakeLeft, framesRate.available(now));
    }

    void framesTaken(int got, long now) {
        if (framesRate != null && got > 0) {
            framesRate.take(got, now);
        }
    }

    /** {@code space} cut to what the byte rate allows now (a little at least). */
    MemorySegment bytesAllowed(MemorySegment space) {
        if (bytesRate == null) {
            return space;
        }
        long allowed = Math.max(READ_FLOOR, bytesRate.available(System.nanoTime()));
        return allowed < space.byteSize() ? space.asSlice(0, allowed) : space;
    }

    void bytesTaken(long n) {
        if (bytesRate != null) {
            bytesRate.take(n, System.nanoTime());
        }
    }

    /** Over a rate: stop reading until every bucket is clear again; true when paused. */
    boolean overRate(long now) {
        // A frame needs a whole token: with less, the next poll could decode nothing.
        long wait = Math.max(bytesRate == null ? 0 : bytesRate.nanosUntilClear(now),
                framesRate == null ? 0 : framesRate.nanosUntil(1, now));
        if (wait <= 0) {
            return false;
        }
        pause(wait);
        return true;
    }

    /** Stops reading for {@code nanos}; counted as a throttle. Bytes wait in the kernel meanwhile. */
    void pause(long nanos) {
        if (paused) {
            return;
        }
        paused = true;
        throttles++;
        resumeTimer = loop.schedule(Duration.ofNanos(Math.max(1_000_000, nanos)), () -> {
            resumeTimer = null;
            paused = false;
            readAgain.run();
        });
    }

    /** This turn's budget is spent with more to read: read again behind the other ready descriptors. */
    void continueNextTurn() {
        budgetYields++;
        if (!continuationQueued) {
            continuationQueued = true;
            loop.execute(() -> {
                continuationQueued = false;
                readAgain.run();
            });
        }
    }

    boolean isPaused() {
        return paused;
    }

    /** Paused or a continuation queued: reading is held back, so the loop's events tell only part of it. */
    boolean isHeldBack() {
        return paused || continuationQueued;
    }

    long throttles() {
        return throttles;
    }

    long budgetYields() {
        return budgetYields;
    }

    /** The channel closed: no timer outlives it. */
    void cancel() {
        if (resumeTimer != null) {
            resumeTimer.cancel();
            resumeTimer = null;
        }
    }
}
