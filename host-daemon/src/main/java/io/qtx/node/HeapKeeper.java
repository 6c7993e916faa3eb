package io.qtx.node;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps qx-node's old generation within twice what was live after its last full collection.
 * The serial collector (the launchers' choice: the least memory and CPU for one busy thread)
 * promotes what outlives a few young collections (telemetry history, sessions of restarted
 * agents), and when the old generation fills it grows it toward {@code -Xmx} before it ever
 * collects it, so RSS crept up for as long as qx-node ran. This asks for a full collection
 * (System.gc(): with the serial collector a stop-the-world compaction of the whole heap) once
 * the old generation holds more than {@link #FLOOR} and more than twice the live set: the heap
 * then settles near twice the live set and stays there. The pause it costs is in the README.
 * Checked on the loop every {@link #PERIOD}; nothing in the JDK's collectors does this for the
 * serial one (G1 has {@code G1PeriodicGCInterval}, but its own structures cost more RSS).
 */
final class HeapKeeper {

    /** How often the old generation is looked at. */
    static final Duration PERIOD = Duration.ofSeconds(20);
    /** Below this the old generation is left alone, whatever its live share. */
    static final long FLOOR = 8L << 20;

    private final LongSupplier used;
    private final LongSupplier liveAfterFull;
    private final Runnable collect;
    private long collections;

    /**
     * @param used the old generation's bytes in use now
     * @param liveAfterFull its bytes in use after its last collection (0 before the first)
     * @param collect a full collection
     */
    HeapKeeper(LongSupplier used, LongSupplier liveAfterFull, Runnable collect) {
        this.used = used;
        this.liveAfterFull = liveAfterFull;
        this.collect = collect;
    }

    /** The old generation of this JVM, or null when it has none this can watch. */
    static HeapKeeper forThisJvm() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()
                    && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
                return new HeapKeeper(() -> pool.getUsage().getUsed(), () -> pool.getCollectionUsage().getUsed(),
                        System::gc);
            }
        }
        return null;
    }

    /** Collects when the old generation is over the floor and over twice the last live set. */
    void check() {
        long now = used.getAsLong();
        if (now > FLOOR && now > 2 * liveAfterFull.getAsLong()) {
            collections++;
            collect.run();
        }
    }

    /** Full collections asked for so far. */
    long collections() {
        return collections;
    }
}
