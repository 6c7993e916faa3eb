package io.qtx.agent.handlers.admin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which filesystems the agent holds frozen, and the thaw deadline that ends it whether or
 * not the host ever comes back. Freezing may block (it syncs), so it runs on a worker;
 * thawing never blocks and also runs from the loop's timer, so a pool full of writers stuck
 * on a frozen disk cannot keep the disk frozen.
 */
public final class FreezeState {

    private static final System.Logger LOG = System.getLogger(FreezeState.class.getName());

    private final Freezer freezer;
    private final Scheduler scheduler;
    private final List<String> frozen = new ArrayList<>();
    private Runnable cancelAutoThaw;
    private long autoThawUnixMs;
    /** Set from the start of a freeze to the end of the thaw; read by the loop without the lock. */
    private volatile boolean holding;

    public FreezeState(Freezer freezer, Scheduler scheduler) {
        this.freezer = freezer;
        this.scheduler = scheduler;
    }

    /** True from the moment a freeze starts until the thaw: the loop asks this on every request. */
    public boolean isFrozen() {
        return holding;
    }

    public synchronized List<String> frozen() {
        return List.copyOf(frozen);
    }

    public synchronized long autoThawUnixMs() {
        return autoThawUnixMs;
    }

    /**
     * Freezes {@code mountpoints} in order; if one fails, thaws the ones already frozen and
     * rethrows. On success the auto-thaw is armed.
     */
    public synchronized void freeze(List<String> mountpoints, Duration autoThaw) throws IOException {
        if (holding) {
            throw new IllegalStateException("already frozen: " + frozen);
        }
        holding = true;
        for (String m : mountpoints) {
            try {
                freezer.freeze(m);
            } catch (IOException e) {
                thawAll("freezing " + m + " failed");
                throw e;
            }
            frozen.add(m);
        }
        autoThawUnixMs = System.currentTimeMillis() + autoThaw.toMillis();
        cancelAutoThaw = scheduler.later(autoThaw, () -> {
            if (isFrozen()) {
                LOG.log(System.Logger.Level.WARNING, "no thaw from the host within " + autoThaw.toMillis()
                        + " ms: thawing by myself");
                thawAll("auto-thaw deadline");
            }
        });
    }

    /** Thaws everything frozen, newest first; returns what was thawed. Failures are logged, not thrown. */
    public synchronized List<String> thawAll(String why) {
        List<String> thawed = new ArrayList<>();
        for (int i = frozen.size() - 1; i >= 0; i--) {
            String m = frozen.get(i);
            try {
                freezer.thaw(m);
                thawed.add(m);
            } catch (IOException e) {
                // EINVAL: someone else thawed it (fsfreeze -u); it is thawed either way.
                LOG.log(System.Logger.Level.WARNING, "thaw " + m + " (" + why + "): " + e.getMessage());
                thawed.add(m);
            }
        }
        frozen.clear();
        holding = false;
        autoThawUnixMs = 0;
        if (cancelAutoThaw != null) {
            cancelAutoThaw.run();
            cancelAutoThaw = null;
        }
        return thawed;
    }
}
