package io.qtx.sim;

import static io.qtx.sim.Peer.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import io.qtx.testkit.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, several VMs, reporting, and a close that leaves nothing behind. */
class LifecycleTest {

    @TempDir
    Path dir;

    @Test
    void closeLeavesNoDescriptorsThreadsOrSocketFiles() throws Exception {
        Map<Integer, String> before = FdLeakCheck.openFds();
        ChannelSimulator sim = ChannelSimulator.start(dir);
        SimulatedChannel one = sim.addVm("vm-1");
        SimulatedChannel two = sim.addVm("vm-2");
        try (Peer host = Peer.connect(one.hostSocket()); Peer guest = Peer.connect(one.guestSocket());
             Peer waiting = Peer.connect(one.hostSocket()); Peer otherGuest = Peer.connect(two.guestSocket())) {
            one.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
            two.awaitStats(ChannelStats::guestAttached, TIMEOUT);
            host.write("x");
            assertEquals("x", guest.readText(1));
            one.detachGuest(); // leaves a freshly bound port socket behind to be closed too
            assertTrue(simThreadAlive());

            sim.close();

            host.awaitEof();
            otherGuest.awaitEof();
            waiting.awaitEof();
        }
        assertEquals(Map.of(), FdLeakCheck.newSince(before));
        assertFalse(simThreadAlive(), "the simulator's thread outlived close()");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
        sim.close(); // idempotent
    }

    @Test
    void afterCloseCallsFailAndWaitsEnd() throws Exception {
        ChannelSimulator sim = ChannelSimulator.start(dir);
        SimulatedChannel ch = sim.addVm("vm-1");
        sim.close();
        assertThrows(IllegalStateException.class, () -> sim.addVm("vm-2"));
        assertThrows(TimeoutException.class, () -> ch.awaitStats(ChannelStats::hostConnected, Duration.ofDays(1)));
    }

    @Test
    void channelsOfSeveralVmsAreIndependent() throws Exception {
        try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
            SimulatedChannel one = sim.addVm("vm-1");
            SimulatedChannel two = sim.addVm("vm-2");
            assertEquals(one, sim.channel("vm-1"));
            try (Peer host1 = Peer.connect(one.hostSocket()); Peer guest1 = Peer.connect(one.guestSocket());
                 Peer host2 = Peer.connect(two.hostSocket()); Peer guest2 = Peer.connect(two.guestSocket())) {
                one.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
                two.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
                host1.write("to-1");
                host2.write("to-2");
                assertEquals("to-2", guest2.readText(4));
                assertEquals("to-1", guest1.readText(4));

                one.dropHost();
                host1.awaitEof();
                guest2.write("still-2");
                assertEquals("still-2", host2.readText(7));
                assertEquals(1, two.stats().hostClientsServed());
                assertTrue(two.stats().hostConnected());
            }
        }
    }

    @Test
    void malformedOrRepeatedVmIdsAreRejected() throws Exception {
        try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
            sim.addVm("vm-1");
            for (String bad : List.of("", "../x", "a/b", ".hidden", "vm 1")) {
                assertThrows(IllegalArgumentException.class, () -> sim.addVm(bad), bad);
            }
            assertThrows(IllegalArgumentException.class, () -> sim.addVm("vm-1"));
        }
    }

    @Test
    void leftoverSocketFilesAreReplaced() throws Exception {
        Path stale = dir.resolve("vm-1.agent.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale));
        }
        Files.writeString(dir.resolve("vm-1.port.sock"), "not a socket");
        try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
            SimulatedChannel ch = sim.addVm("vm-1");
            try (Peer host = Peer.connect(ch.hostSocket()); Peer guest = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
            }
        }
    }

    @Test
    void everyTransitionIsReportedInOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (ChannelSimulator sim = ChannelSimulator.start(dir,
                (vm, t, stats) -> seen.add(vm + " " + t + " " + stats.hostClientsServed() + "/" + stats.guestAttachments()))) {
            SimulatedChannel ch = sim.addVm("vm-1");
            try (Peer guest = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(ChannelStats::guestAttached, TIMEOUT);
                try (Peer host = Peer.connect(ch.hostSocket())) {
                    ch.awaitStats(ChannelStats::hostConnected, TIMEOUT);
                }
                ch.awaitStats(s -> !s.hostConnected(), TIMEOUT);
                try (Peer host = Peer.connect(ch.hostSocket())) {
                    ch.awaitStats(s -> s.hostConnected(), TIMEOUT);
                    ch.dropHost();
                }
                ch.detachGuest();
            }
            try (Peer guest = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.guestAttachments() == 2, TIMEOUT);
            }
            ch.awaitStats(s -> !s.guestAttached(), TIMEOUT);
        }
        assertEquals(List.of(
                "vm-1 OPENED 0/0",
                "vm-1 GUEST_ATTACHED 0/1",
                "vm-1 HOST_ACCEPTED 1/1",
                "vm-1 HOST_LEFT 1/1",
                "vm-1 HOST_ACCEPTED 2/1",
                "vm-1 HOST_DROPPED 2/1",
                "vm-1 GUEST_DETACHED 2/1",
                "vm-1 GUEST_ATTACHED 2/2",
                "vm-1 GUEST_LEFT 2/2",
                "vm-1 CLOSED 2/2"), seen);
    }

    private static boolean simThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("qtx-channel-sim") && t.isAlive());
    }
}
