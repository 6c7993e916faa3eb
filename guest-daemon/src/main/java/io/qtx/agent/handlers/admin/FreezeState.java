package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Which filesystems the agent holds frozen, and the guard that ends it whether or not the
 * host ever comes back.
 *
 * <p>Nothing here ever waits for a FIFREEZE: the lock guards only the lists and is never
 * held across a call into the {@link Freezer}. A thaw takes what is frozen and thaws it; a
 * freeze still inside its FIFREEZE sees, when that returns, that a thaw came meanwhile and
 * thaws its own mount. So the host's thaw (on the loop), the auto-thaw and a stopping agent
 * all return at once even while a FIFREEZE is slow or hung.
 *
 * <p>The auto-thaw is a thread of its own, started before the first FIFREEZE: it needs
 * neither the event loop nor the workers, so a stuck loop or a pool full of writers blocked
 * on the frozen disk cannot keep the disk frozen. It also thaws early when the loop stops
 * beating (the service manager's watchdog is about to kill the agent, and a killed agent
 * thaws nothing).
 */
public final class FreezeState {

    private static final System.Logger LOG = System.getLogger(FreezeState.class.getName());

    /** Told before the first FIFREEZE and after the last thaw (the agent holds its log lines in between). */
    public interface Listener {
        void holding();

        void released();
    }

    private final Freezer freezer;
    private final Object lock = new Object();
    /** Mounts frozen by the current freeze and not yet handed to a thaw. */
    private final List<String> frozen = new ArrayList<>();
    /** Bumped by every thaw: a freeze that started under an older value has been thawed. */
    private long generation;
    private boolean freezing;
    private int thawing;
    private long autoThawUnixMs;
    /** Set from the start of a freeze to the end of its last thaw; read by the loop without the lock. */
    private volatile boolean holding;
    private volatile Listener listener = new Listener() {
        @Override
        public void holding() {
        }

        @Override
        public void released() {
        }
    };
    private volatile BooleanSupplier loopStuck = () -> false;
    private volatile Duration stuckCheck = Duration.ofSeconds(1);

    public FreezeState(Freezer freezer) {
        this.freezer = freezer;
    }

    public void listener(Listener listener) {
        this.listener = listener;
    }

    /**
     * While frozen, the guard also thaws as soon as {@code stuck} says the event loop has
     * missed its beat; it asks every {@code every}.
     */
    public void watchLoop(BooleanSupplier stuck, Duration every) {
        this.loopStuck = stuck;
        this.stuckCheck = every;
    }

    /** True from the moment a freeze starts until its last thaw: the loop asks this on every request. */
    public boolean isFrozen() {
        return holding;
    }

    public List<String> frozen() {
        synchronized (lock) {
            return List.copyOf(frozen);
        }
    }

    public long autoThawUnixMs() {
        synchronized (lock) {
            return autoThawUnixMs;
        }
    }

    /**
     * Freezes {@code mountpoints} in order. The auto-thaw is armed first. If one fails, or a
     * thaw comes while this runs, what was frozen is thawed and an IOException says why.
     */
    public void freeze(List<String> mountpoints, Duration autoThaw) throws IOException {
        long mine;
        synchronized (lock) {
            if (holding) {
                throw new IllegalStateException("already frozen: " + frozen);
            }
            holding = true;
            freezing = true;
            mine = generation;
            autoThawUnixMs = System.currentTimeMillis() + autoThaw.toMillis();
        }
        listener.holding();
        armGuard(mine, System.nanoTime() + autoThaw.toNanos(), autoThaw);
        try {
            for (String m : mountpoints) {
                synchronized (lock) {
                    if (generation != mine) {
                        throw new IOException("thawed while freezing: " + m + " and after it were not frozen");
                    }
                }
                try {
                    freezer.freeze(m);
                } catch (IOException e) {
                    thawAll("freezing " + m + " failed");
                    throw e;
                }
                boolean late;
                synchronized (lock) {
                    late = generation != mine;
                    if (!late) {
                        frozen.add(m);
                    }
                }
                if (late) {
                    thawOne(m, "a thaw came while it was freezing");
                    throw new IOException("thawed while freezing: " + m + " froze after the thaw and was thawed again");
                }
            }
        } finally {
            synchronized (lock) {
                freezing = false;
            }
            releaseIfDone();
        }
    }

    /**
     * Thaws everything this agent froze, newest first, and returns it; never waits for a
     * freeze in progress (that one thaws its own mount when its FIFREEZE returns). Failures
     * are logged, not thrown. Any thread.
     */
    public List<String> thawAll(String why) {
        List<String> taken;
        synchronized (lock) {
            generation++;
            taken = new ArrayList<>(frozen.reversed());
            frozen.clear();
            autoThawUnixMs = 0;
            thawing++;
            lock.notifyAll();
        }
        try {
            for (String m : taken) {
                thawOne(m, why);
            }
        } finally {
            synchronized (lock) {
                thawing--;
            }
            releaseIfDone();
        }
        return taken;
    }

    /**
     * At start: thaws each of {@code mountpoints} that is frozen (left so by an agent that was
     * killed while holding it) and logs it; returns those it thawed.
     */
    public List<String> thawLeftovers(List<String> mountpoints) {
        List<String> thawed = new ArrayList<>();
        for (String m : mountpoints) {
            try {
                if (freezer.thawIfFrozen(m)) {
                    thawed.add(m);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "start-up thaw of " + m + ": " + e.getMessage());
            }
        }
        if (!thawed.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "found " + thawed + " frozen at start (an earlier agent was"
                    + " stopped while holding them): thawed");
        }
        return thawed;
    }

    private void thawOne(String m, String why) {
        try {
            freezer.thaw(m);
        } catch (IOException e) {
            // EINVAL: someone else thawed it (fsfreeze -u); it is thawed either way.
            LOG.log(System.Logger.Level.WARNING, "thaw " + m + " (" + why + "): " + e.getMessage());
        }
    }

    private void releaseIfDone() {
        boolean released;
        synchronized (lock) {
            released = holding && !freezing && thawing == 0 && frozen.isEmpty();
            if (released) {
                holding = false;
            }
        }
        if (released) {
            listener.released();
        }
    }

    private void armGuard(long mine, long deadlineNanos, Duration autoThaw) {
        Thread.ofPlatform().name("freeze-guard").daemon().start(() -> {
            String why;
            synchronized (lock) {
                while (true) {
                    if (generation != mine) {
                        return;
                    }
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        why = "no thaw from the host within " + autoThaw.toMillis() + " ms: thawing by myself";
                        break;
                    }
                    if (loopStuck.getAsBoolean()) {
                        why = "the event loop missed its watchdog beat: thawing before the service manager"
                                + " kills the agent";
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, Math.min(left / 1_000_000, stuckCheck.toMillis())));
                    } catch (InterruptedException e) {
                        why = "the freeze guard was interrupted";
                        break;
                    }
                }
            }
            LOG.log(System.Logger.Level.WARNING, why);
            thawAll(why);
        });
    }
}
