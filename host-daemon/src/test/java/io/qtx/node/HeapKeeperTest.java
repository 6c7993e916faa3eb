package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class HeapKeeperTest {

    private static final long MIB = 1L << 20;

    private long used;
    private long live;
    private int collected;

    private HeapKeeper keeper() {
        return new HeapKeeper(() -> used, () -> live, () -> {
            collected++;
            live = used / 4; // what a collection would find live
            used = live;
        });
    }

    /** One check with {@code liveBytes} live after the last collection and {@code usedBytes} in use. */
    private long collectionsAfterOneCheck(long liveBytes, long usedBytes) {
        HeapKeeper k = keeper();
        live = liveBytes;
        used = usedBytes;
        k.check();
        assertEquals(collected, k.collections());
        return collected;
    }

    @Test
    void anOldGenerationOverTwiceTheLastLiveSetIsCollected() {
        assertEquals(1, collectionsAfterOneCheck(10 * MIB, 21 * MIB));
    }

    @Test
    void upToTwiceTheLiveSetIsLeftAlone() {
        assertEquals(0, collectionsAfterOneCheck(10 * MIB, 20 * MIB));
    }

    @Test
    void belowTheFloorNothingIsCollectedWhateverTheLiveShare() {
        HeapKeeper k = keeper();
        live = 0;
        used = HeapKeeper.FLOOR;
        k.check();
        assertEquals(0, collected);
        used = HeapKeeper.FLOOR + 1;
        k.check();
        assertEquals(1, collected);
    }

    @Test
    void growthAfterACollectionIsMeasuredAgainstTheNewLiveSet() {
        HeapKeeper k = keeper();
        live = 8 * MIB;
        used = 40 * MIB;
        k.check(); // live becomes 10 MiB
        used = 19 * MIB;
        k.check();
        assertEquals(1, collected);
        used = 21 * MIB;
        k.check();
        assertEquals(2, collected);
    }

    @Test
    void thisJvmHasAnOldGenerationToWatch() {
        // The tests run on the JVM's default collector; qx-node's launchers use the serial one.
        assertNotNull(HeapKeeper.forThisJvm());
    }
}
