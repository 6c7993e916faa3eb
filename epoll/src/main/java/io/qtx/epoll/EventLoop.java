package io.qtx.epoll;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;
import io.qtx.ffi.generated.Linux;
import io.qtx.ffi.generated.epoll_event;

/**
 * One thread, one epoll descriptor, and every descriptor registered with it.
 *
 * <p>The loop alone touches its descriptors. Other threads hand it work with
 * {@link #execute(Runnable)}, which queues the task and wakes the loop through an eventfd.
 * Timers of any number share one timerfd armed for the earliest deadline.
 *
 * <p>A descriptor stuck in hang-up (a peer that closed, a virtio port with no host) is
 * reported as readable-and-hung-up on every level-triggered wait. So after a level-triggered
 * registration reports {@link IoEvents#HANGUP} or {@link IoEvents#ERROR}, the loop turns it
 * edge-triggered: the handler hears of the hang-up once, and the loop sleeps until something
 * changes instead of spinning.
 */
public final class EventLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final int MAX_EVENTS = 256;
    private static final int MAX_TASKS_PER_TURN = 4096;
    private static final long EVENT_SIZE = epoll_event.layout().byteSize();
    private static final ValueLayout.OfInt EVENT_FD = (ValueLayout.OfInt) epoll_event.layout()
            .select(groupElement("data"), groupElement("fd"));
    private static final long EVENT_FD_OFFSET = epoll_event.layout().byteOffset(groupElement("data"), groupElement("fd"));

    private final String name;
    private final Arena arena = Arena.ofShared();
    private final Fd epoll;
    private final LoopWakeup wakeup;
    /** epoll_wait's output array. */
    private final MemorySegment events;
    /** The single epoll_event epoll_ctl reads. */
    private final MemorySegment ctlEvent;
    /** Scratch that eventfd and timerfd counters are drained into. */
    private final MemorySegment drain;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong timerSequence = new AtomicLong();
    private final LoopTimers timers;
    private final Thread thread;
    private final RegistrationTable registrations = new RegistrationTable();
    private volatile boolean stopping;
    private volatile boolean terminated;
    /** Completes when the thread has ended: with null after close(), with the cause if it died. */
    private final java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
    private volatile Throwable death;
    private volatile long wakeups;
    /** /proc/PID/task/TID of the loop thread, for its CPU time; set when the thread starts. */
    private volatile String taskDir;

    private EventLoop(String name) throws NativeException {
        this.name = name;
        Fd ep = null;
        Fd wake = null;
        Fd timer = null;
        try {
            ep = Syscalls.epollCreate();
            wake = Syscalls.eventfd();
            timer = Syscalls.timerfdCreate();
        } catch (NativeException | RuntimeException e) {
            closeQuietly(timer, wake, ep);
            arena.close();
            throw e;
        }
        this.epoll = ep;
        this.wakeup = new LoopWakeup(wake);
        this.timers = new LoopTimers(timer, arena);
        this.events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
        this.ctlEvent = arena.allocate(EVENT_SIZE, 8);
        this.drain = arena.allocate(ValueLayout.JAVA_LONG);
        try {
            addInternal(wake);
            addInternal(timer);
        } catch (NativeException e) {
            closeQuietly(timer, wake, epoll);
            arena.close();
            throw e;
        }
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    /** Creates a loop and starts its thread. */
    public static EventLoop start(String name) throws NativeException {
        EventLoop loop = new EventLoop(name);
        loop.thread.start();
        return loop;
    }

    public String name() {
        return name;
    }

    /** True on the loop's own thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Throws, naming {@code what} and the calling thread, unless called on the loop thread. */
    public void checkInLoop(String what) {
        if (!inLoop()) {
            throw new IllegalStateException(what + " called on " + Thread.currentThread().getName()
                    + ", not on event loop " + name + "; hand it over with execute()");
        }
    }

    /** How many times epoll_wait has returned: what tests and metrics use to see spinning. */
    public long wakeups() {
        return wakeups;
    }

    /**
     * The CPU time the loop thread has used so far, in nanoseconds, from the kernel's
     * schedstat of that thread; -1 before the loop runs or where the kernel keeps none.
     * Read from /proc rather than through java.management, so a minimal runtime image can
     * measure its loop too.
     */
    public long cpuTimeNanos() {
        String task = taskDir;
        if (task == null) {
            return -1;
        }
        try {
            String schedstat = java.nio.file.Files.readString(java.nio.file.Path.of(task, "schedstat"));
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Registered descriptors, not counting the loop's own. Loop thread only. */
    public int registrationCount() {
        checkInLoop("registrationCount");
        return registrations.size();
    }

    /**
     * Watches {@code fd} for {@code interest} ({@link IoEvents} bits), level- or edge-triggered.
     * The loop owns {@code fd} from now on. Loop thread only.
     */
    public Registration register(Fd fd, int interest, boolean edgeTriggered, IoHandler handler)
            throws NativeException {
        checkInLoop("register");
        if (stopping) {
            throw new RejectedExecutionException("event loop " + name + " is stopping");
        }
        int n = fd.checkedValue("epoll_ctl");
        if (registrations.get(n) != null) {
            throw new IllegalStateException(fd.description() + " is already registered with " + name);
        }
        setCtlEvent(n, interest | (edgeTriggered ? IoEvents.EDGE_TRIGGERED : 0));
        Syscalls.epollCtl(epoll, Linux.EPOLL_CTL_ADD(), fd, ctlEvent);
        Registration registration = new Registration(this, fd, handler, interest, edgeTriggered);
        registrations.put(n, registration);
        return registration;
    }

    void modify(Registration registration, int interest, boolean edge) throws NativeException {
        Fd fd = registration.fd();
        setCtlEvent(fd.checkedValue("epoll_ctl"), interest | (edge ? IoEvents.EDGE_TRIGGERED : 0));
        Syscalls.epollCtl(epoll, Linux.EPOLL_CTL_MOD(), fd, ctlEvent);
    }

    void deregister(Registration registration) {
        Fd fd = registration.fd();
        int n = fd.intValue();
        registrations.remove(n, registration);
        if (fd.isOpen()) {
            try {
                Syscalls.epollCtl(epoll, Linux.EPOLL_CTL_DEL(), fd, null);
            } catch (NativeException e) {
                // Already gone from the set (the kernel drops closed descriptors itself): nothing to undo.
                LOG.log(System.Logger.Level.DEBUG, "epoll_ctl(DEL) on {0}: {1}", fd, e.getMessage());
            }
        }
    }

    /**
     * Runs {@code task} on the loop thread, soon, in submission order; from any thread.
     *
     * @throws RejectedExecutionException once the loop has stopped
     */
    public void execute(Runnable task) {
        if (terminated) {
            throw new RejectedExecutionException("event loop " + name + " has stopped");
        }
        tasks.add(task);
        if (!inLoop()) {
            wakeup.wake();
        }
    }

    /** Runs {@code task} once, {@code delay} from now; from any thread. */
    public Timer schedule(Duration delay, Runnable task) {
        return addTimer(task, delay.toNanos(), 0);
    }

    /** Runs {@code task} after {@code initialDelay}, then every {@code period}; from any thread. */
    public Timer scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        long p = period.toNanos();
        if (p <= 0) {
            throw new IllegalArgumentException("period=" + period + " must be positive");
        }
        return addTimer(task, initialDelay.toNanos(), p);
    }

    private Timer addTimer(Runnable task, long delayNanos, long periodNanos) {
        long deadline = System.nanoTime() + Math.max(0, delayNanos);
        Timer timer = new Timer(this, task, deadline, periodNanos, timerSequence.incrementAndGet());
        if (inLoop()) {
            enqueue(timer);
        } else {
            execute(() -> enqueue(timer));
        }
        return timer;
    }

    private void enqueue(Timer timer) {
        if (timer.isCancelled() || stopping) {
            return;
        }
        try {
            timers.add(timer);
        } catch (NativeException e) {
            throw new IllegalStateException("event loop " + name + " cannot arm its timerfd", e);
        }
    }

    void timerCancelled(Timer timer) {
        if (inLoop()) {
            try {
                timers.remove(timer);
            } catch (NativeException e) {
                // The cancelled flag already keeps it from running; only the early wake-up remains.
                LOG.log(System.Logger.Level.WARNING, "re-arming the timerfd of {0}: {1}", name, e.getMessage());
            }
        } else if (!terminated) {
            try {
                execute(() -> timerCancelled(timer));
            } catch (RejectedExecutionException stopped) {
                // Nothing left to fire it.
            }
        }
    }

    /** Pending timers, for tests and metrics. Loop thread only. */
    public int pendingTimers() {
        checkInLoop("pendingTimers");
        return timers.size();
    }

    private void run() {
        try {
            // The link reads "PID/task/TID", relative to /proc.
            taskDir = "/proc/" + java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self"));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "no /proc/thread-self; loop CPU time unknown");
        }
        try {
            while (!stopping) {
                boolean moreTasks = runTasks();
                int n = Syscalls.epollWait(epoll, events, MAX_EVENTS, moreTasks || stopping ? 0 : -1);
                wakeups++;
                for (int i = 0; i < n; i++) {
                    long base = i * EVENT_SIZE;
                    int fd = events.get(EVENT_FD, base + EVENT_FD_OFFSET);
                    int ready = events.get(epoll_event.events$layout(), base + epoll_event.events$offset());
                    dispatch(fd, ready);
                }
            }
        } catch (Throwable t) {
            death = t;
            LOG.log(System.Logger.Level.ERROR, "event loop " + name + " failed; closing every descriptor it owns", t);
        } finally {
            try {
                shutDown();
            } finally {
                ended.complete(death);
            }
        }
    }

    private void dispatch(int fd, int ready) {
        if (fd == wakeup.fd().intValue()) {
            try {
                wakeup.consume(drain);
            } catch (NativeException e) {
                throw new IllegalStateException("event loop " + name + " cannot read its eventfd", e);
            }
            return;
        }
        if (fd == timers.fd().intValue()) {
            drainCounter(timers.fd());
            try {
                timers.runDue(this::runSafely, stopping);
            } catch (NativeException e) {
                throw new IllegalStateException("event loop " + name + " cannot arm its timerfd", e);
            }
            return;
        }
        Registration registration = registrations.get(fd);
        if (registration == null || !registration.isRegistered()) {
            return;
        }
        if (registration.takeQuietedRepeat(ready)) {
            return;
        }
        try {
            registration.handler().onEvents(registration, ready);
        } catch (Throwable t) {
            rethrowFatal(t);
            LOG.log(System.Logger.Level.WARNING, "handler for " + registration.fd() + " failed; closing it", t);
            registration.close();
            try {
                registration.handler().failed(registration, t);
            } catch (Throwable again) {
                LOG.log(System.Logger.Level.ERROR, "the owner of " + registration.fd()
                        + " failed to tear it down after its handler failed", again);
            }
            return;
        }
        if ((ready & (IoEvents.HANGUP | IoEvents.ERROR)) != 0 && registration.isRegistered()
                && !registration.isEdgeTriggered()) {
            try {
                registration.changeInterest(registration.interest(), true);
                // Re-arming makes the kernel report the same, already handled, state once more.
                registration.expectQuietedRepeat(ready);
            } catch (NativeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot quiet hung-up " + registration.fd() + "; closing it", e);
                registration.close();
            }
        }
    }

    private void drainCounter(Fd counter) {
        try {
            counter.read(drain);
        } catch (NativeException e) {
            throw new IllegalStateException("event loop " + name + " cannot read " + counter, e);
        }
    }

    /** Runs queued tasks; true when more are waiting than one turn runs. */
    private boolean runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return false;
            }
            runSafely(task, "task");
        }
        return !tasks.isEmpty();
    }

    private void runSafely(Runnable task, String what) {
        try {
            task.run();
        } catch (Throwable t) {
            rethrowFatal(t);
            LOG.log(System.Logger.Level.WARNING, what + " on event loop " + name + " failed", t);
        }
    }

    /**
     * Out of memory (or another VM error) is not one connection's problem: it ends the loop,
     * and the process owning the loop decides (qx-node exits, so its service manager restarts
     * it) instead of limping on with a loop that may have lost any state halfway.
     */
    private static void rethrowFatal(Throwable t) {
        if (t instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /**
     * Completes once the loop's thread has ended and closed its descriptors: with null when it
     * was closed, with the throwable that killed it otherwise. From any thread.
     */
    public java.util.concurrent.CompletableFuture<Throwable> ended() {
        return ended;
    }

    /**
     * Stops the loop and closes every descriptor it owns, then returns. From the loop thread
     * itself it only asks the loop to stop after the current turn.
     */
    @Override
    public void close() {
        stopping = true;
        if (inLoop() || terminated) {
            return;
        }
        wakeup.wake();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("event loop " + name + " did not stop within 30 s (a handler is blocking it)");
        }
    }

    public boolean isTerminated() {
        return terminated;
    }

    private void shutDown() {
        stopping = true;
        // Tasks already queued still run (they may release resources); new ones are refused after this.
        runTasks();
        terminated = true;
        runTasks();
        registrations.closeAll();
        timers.clear();
        wakeup.close();
        closeQuietly(timers.fd(), epoll);
        arena.close();
    }

    private void setCtlEvent(int fd, int mask) {
        ctlEvent.fill((byte) 0);
        epoll_event.events(ctlEvent, mask);
        ctlEvent.set(EVENT_FD, EVENT_FD_OFFSET, fd);
    }

    private void addInternal(Fd fd) throws NativeException {
        setCtlEvent(fd.intValue(), IoEvents.READABLE);
        Syscalls.epollCtl(epoll, Linux.EPOLL_CTL_ADD(), fd, ctlEvent);
    }

    private static void closeQuietly(Fd... fds) {
        for (Fd fd : fds) {
            if (fd != null) {
                fd.close();
            }
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + (terminated ? ", stopped" : "") + "]";
    }
}
