package io.qtx.epoll;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;

/**
 * A descriptor registered with an {@link EventLoop}, which owns it from then on: closing the
 * registration (or the loop) closes the descriptor. Every method must be called on the loop
 * thread; other threads hand work to the loop with {@link EventLoop#execute(Runnable)}.
 */
public final class Registration implements AutoCloseable {

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

    IoHandler handler() {
        return handler;
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
