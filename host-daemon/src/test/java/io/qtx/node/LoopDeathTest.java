package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A qx-node whose loop died must not linger, serving nothing. */
class LoopDeathTest {

    @Test
    void anErrorThatKillsTheLoopMakesQxNodeExitWithItsOwnStatus() throws Exception {
        try (Rig rig = new Rig()) {
            Node node = rig.startNode();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            QxNode.exitWhenLoopDies(node, exit::complete);
            node.onLoop(() -> {
                throw new OutOfMemoryError("simulated (expected by this test)");
            });
            assertEquals(QxNode.EXIT_LOOP_DIED, exit.get(20, TimeUnit.SECONDS));
            assertTrue(node.loopEnded().get(1, TimeUnit.SECONDS) instanceof OutOfMemoryError);
        }
    }

    @Test
    void aCleanCloseIsNotADeath() throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        try (Rig rig = new Rig()) {
            Node node = rig.startNode();
            QxNode.exitWhenLoopDies(node, exit::complete);
            node.close();
            assertEquals(null, node.loopEnded().get(20, TimeUnit.SECONDS));
        }
        // The hook runs on a thread of its own: give a wrong exit a moment to show.
        assertThrows(java.util.concurrent.TimeoutException.class, () -> exit.get(300, TimeUnit.MILLISECONDS),
                "no exit after a clean close");
    }
}
