package io.qtx.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.testkit.Await;

/** Finding sockets: a directory that appears late, renames in and out, refusals and backoff. */
class DiscoveryTest {

    @TempDir
    Path tmp;

    private static List<String> ids(Node node) throws Exception {
        return node.vms().get(5, TimeUnit.SECONDS).stream().map(VmSnapshot::id).toList();
    }

    @Test
    void aDirectoryCreatedAfterStartIsWatchedFromTheNextRescan() throws Exception {
        Path dir = tmp.resolve("later");
        try (Node node = Node.start(Rig.fastConfig(dir).withRescan(Duration.ofMillis(200)))) {
            assertEquals(List.of(), ids(node));
            Files.createDirectory(dir);
            Files.createFile(dir.resolve("vm-a.agent.sock"));
            Await.until("found by the rescan", () -> call(() -> ids(node).equals(List.of("vm-a"))));
        }
    }

    @Test
    void renamesInAndOutAreSeenByInotifyAlone() throws Exception {
        Files.createDirectories(tmp.resolve("d"));
        Path dir = tmp.resolve("d");
        try (Node node = Node.start(Rig.fastConfig(dir).withRescan(Duration.ofHours(1)))) {
            Path outside = Files.createFile(tmp.resolve("vm-b.agent.sock"));
            Files.move(outside, dir.resolve("vm-b.agent.sock"));
            Await.until("moved in", () -> call(() -> ids(node).equals(List.of("vm-b"))));
            Files.move(dir.resolve("vm-b.agent.sock"), tmp.resolve("elsewhere"));
            Await.until("moved out", () -> call(() -> ids(node).isEmpty()));
        }
    }

    @Test
    void aSocketNobodyServesIsRetriedWithBackoffAndNeverHeldTwice() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("e"));
        try (Node node = Node.start(Rig.fastConfig(dir))) {
            Files.createFile(dir.resolve("vm-c.agent.sock")); // a file, not a listening socket: connect is refused
            VmSnapshot s = awaitVm(node, "vm-c", v -> v.disconnects() >= 3);
            assertTrue(s.state() == VmState.RECONNECTING || s.state() == VmState.CONNECTING
                    || s.state() == VmState.DISCONNECTED, s.state().toString());
            assertTrue(s.transitions().stream().anyMatch(t -> t.state() == VmState.RECONNECTING
                    && t.message().startsWith("next attempt in ")), s.transitions().toString());
            assertEquals(s.connects(), s.disconnects() + (s.state() == VmState.CONNECTING ? 1 : 0),
                    "each attempt ends before the next begins");
        }
    }

    private static VmSnapshot awaitVm(Node node, String id, java.util.function.Predicate<VmSnapshot> p) throws Exception {
        return Rig.awaitVm(node, id, "the awaited snapshot", Rig.WAIT, p);
    }

    private static boolean call(java.util.concurrent.Callable<Boolean> c) {
        try {
            return c.call();
        } catch (Exception e) {
            return false;
        }
    }
}
