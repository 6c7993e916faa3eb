package io.qtx.epoll;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;

/**
 * A descriptor registered with an {@link EventLoop}, which owns it from then on: closing the
 * registration (or the loop) closes the descriptor. Every method must be called on the loop
 * thread; other threads hand work to the loop with {@link EventLoop#execute(Runnable)}.
 */
public final class Registration implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Registration.class.getName());

    private final EventLoop loop;
    private final Fd fd;
    private IoHandler handler;
    private int interest;
    private boolean edgeTriggered;
    private boolean registered = true;
    /** The events reported just before the loop turned this registration edge-triggered; 0 if none. */
    private int quietedEvents;

    Registration(EventLoop loop, Fd fd, IoHandler handler, int interest, boolean edgeTriggered) {
        this.loop = loop;
        this.fd = fd;
        this.handler = handler;
        this.interest = interest;
        this.edgeTriggered = edgeTriggered;
    }

    public Fd fd() {
        return fd;
    }

    public EventLoop loop() {
        return loop;
    }

    public int interest() {
        return interest;
    }

    public boolean isEdgeTriggered() {
        return edgeTriggered;
    }

    /** True until {@link #cancel()} or {@link #close()}. */
    public boolean isRegistered() {
        return registered;
    }

    /** Replaces the interest set; no system call when it is unchanged. */
    public void setInterest(int newInterest) throws NativeException {
        changeInterest(newInterest, edgeTriggered);
    }

    /** Replaces the interest set and the trigger mode. */
    public void changeInterest(int newInterest, boolean edge) throws NativeException {
        loop.checkInLoop("Registration.changeInterest");
        if (!registered || (newInterest == interest && edge == edgeTriggered)) {
            return;
        }
        loop.modify(this, newInterest, edge);
        interest = newInterest;
        edgeTriggered = edge;
    }

    /** Hands later events to {@code next} (a connection moving from connecting to connected, say). */
    public void setHandler(IoHandler next) {
        loop.checkInLoop("Registration.setHandler");
        handler = next;
    }

    void expectQuietedRepeat(int events) {
        quietedEvents = events;
    }

    /** True (once) when {@code events} merely repeats what was reported before quieting. */
    boolean takeQuietedRepeat(int events) {
        boolean repeat = quietedEvents != 0 && events == quietedEvents;
        quietedEvents = 0;
        return repeat;
    }

    /**
     * Hands {@code ready} to the handler. A handler that throws loses its descriptor (closed,
     * then told through {@link IoHandler#failed}); a level-triggered registration that reports
     * a hang-up or an error is turned edge-triggered, so the handler hears of it once instead of
     * on every wait. Loop thread only.
     */
    void deliver(int ready) {
        if (takeQuietedRepeat(ready)) {
            return;
        }
        try {
            handler.onEvents(this, ready);
        } catch (Throwable t) {
            EventLoop.rethrowFatal(t);
            LOG.log(System.Logger.Level.WARNING, "handler for " + fd + " failed; closing it", t);
            close();
            try {
                handler.failed(this, t);
            } catch (Throwable again) {
                LOG.log(System.Logger.Level.ERROR, "the owner of " + fd
                        + " failed to tear it down after its handler failed", again);
            }
            return;
        }
        if ((ready & (IoEvents.HANGUP | IoEvents.ERROR)) != 0 && registered && !edgeTriggered) {
            try {
                changeInterest(interest, true);
                // Re-arming makes the kernel report the same, already handled, state once more.
                expectQuietedRepeat(ready);
            } catch (NativeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot quiet hung-up " + fd + "; closing it", e);
                close();
            }
        }
    }

    /** Stops watching the descriptor but leaves it open; the caller owns it again. */
    public void cancel() {
        loop.checkInLoop("Registration.cancel");
        if (registered) {
            registered = false;
            loop.deregister(this);
        }
    }

    /** Stops watching and closes the descriptor; idempotent. */
    @Override
    public void close() {
        cancel();
        fd.close();
    }

    @Override
    public String toString() {
        return fd.description() + " interest=" + IoEvents.toString(interest) + (edgeTriggered ? " edge" : " level");
    }
}
