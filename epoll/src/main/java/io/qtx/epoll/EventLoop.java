package io.qtx.epoll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.qtx.ffi.EpollSet;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;

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

    private final String name;
    private final Arena arena = Arena.ofShared();
    private final EpollSet epoll;
    private final LoopWakeup wakeup;
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
    private final ThreadCpu cpu = new ThreadCpu();

    private EventLoop(String name) throws NativeException {
        this.name = name;
        EpollSet ep = null;
        Fd wake = null;
        Fd timer = null;
        try {
            ep = EpollSet.create(arena, MAX_EVENTS);
            wake = Syscalls.eventfd();
            timer = Syscalls.timerfdCreate();
            ep.add(wake, IoEvents.READABLE);
            ep.add(timer, IoEvents.READABLE);
        } catch (NativeException | RuntimeException e) {
            closeQuietly(timer, wake, ep == null ? null : ep.fd());
            arena.close();
            throw e;
        }
        this.epoll = ep;
        this.wakeup = new LoopWakeup(wake);
        this.timers = new LoopTimers(timer, arena);
        this.drain = arena.allocate(ValueLayout.JAVA_LONG);
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
     * The CPU time the loop thread has used so far, in nanoseconds; -1 before the loop runs or
     * where the kernel keeps none ({@link ThreadCpu}).
     */
    public long cpuTimeNanos() {
        return cpu.nanos();
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
        epoll.add(fd, interest | (edgeTriggered ? IoEvents.EDGE_TRIGGERED : 0));
        Registration registration = new Registration(this, fd, handler, interest, edgeTriggered);
        registrations.put(n, registration);
        return registration;
    }

    void modify(Registration registration, int interest, boolean edge) throws NativeException {
        epoll.modify(registration.fd(), interest | (edge ? IoEvents.EDGE_TRIGGERED : 0));
    }

    void deregister(Registration registration) {
        Fd fd = registration.fd();
        int n = fd.intValue();
        registrations.remove(n, registration);
        if (fd.isOpen()) {
            try {
                epoll.delete(fd);
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
        cpu.captureCurrentThread();
        try {
            while (!stopping) {
                boolean moreTasks = runTasks();
                int n = epoll.await(moreTasks || stopping ? 0 : -1);
                wakeups++;
                for (int i = 0; i < n; i++) {
                    dispatch(epoll.readyFd(i), epoll.readyEvents(i));
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
        registration.deliver(ready);
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
    static void rethrowFatal(Throwable t) {
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
        closeQuietly(timers.fd(), epoll.fd());
        arena.close();
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
