package io.qtx.sim;

import static io.qtx.sim.Peer.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import io.qtx.testkit.Await;

/** The guest's port: exclusive, and fed with host bytes that waited for it. */
class GuestSideTest extends OneChannelTest {

    private static final int CAPACITY = ChannelRelay.RELAY_BUFFER_BYTES;

    @Test
    void hostBytesWrittenBeforeTheGuestAttachesArriveWhenItDoes() throws Exception {
        try (Peer host = Peer.connect(ch.hostSocket())) {
            host.write("early");
            ch.awaitStats(s -> s.hostBytesHeld() == 5, TIMEOUT);
            try (Peer guest = Peer.connect(ch.guestSocket())) {
                assertEquals("early", guest.readText(5));
                ChannelStats s = ch.awaitStats(x -> x.bytesHostToGuest() == 5, TIMEOUT);
                assertEquals(0, s.hostBytesHeld());
            }
        }
    }

    @Test
    void aHangUpIsEndOfFileAndFailedWritesNeverAResetAndTheNextOpenIsServed() throws Exception {
        try (Peer host = Peer.connect(ch.hostSocket()); Peer guest = Peer.connect(ch.guestSocket())) {
            ch.awaitStats(s -> s.guestAttached() && s.hostConnected(), TIMEOUT);
            // The host does not read: the guest's bytes back up unread in the simulator's socket,
            // the case where closing that socket would reset the guest instead.
            ByteBuffer chunk = ByteBuffer.allocate(4096);
            Await.until("the guest's bytes backed up", TIMEOUT, () -> guest.writeNow(chunk.clear()) == 0);
            ch.hangUpGuest();
            assertNull(guest.readNow(), "end-of-file, as a port's zero read");
            assertThrows(IOException.class, () -> guest.write("after"), "a write fails, nothing is taken");
            ch.awaitStats(s -> !s.guestAttached(), TIMEOUT);
            try (Peer next = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(ChannelStats::guestAttached, TIMEOUT);
                assertEquals(2, ch.stats().guestAttachments());
            }
        }
    }

    @Test
    void hostBytesWrittenBetweenTwoGuestsReachTheSecond() throws Exception {
        try (Peer host = Peer.connect(ch.hostSocket())) {
            try (Peer first = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.guestAttached() && s.hostConnected(), TIMEOUT);
                host.write("one");
                assertEquals("one", first.readText(3));
            }
            ch.awaitStats(s -> !s.guestAttached(), TIMEOUT);
            host.write("stale-request");
            ch.awaitStats(s -> s.hostBytesHeld() == 13, TIMEOUT);
            try (Peer second = Peer.connect(ch.guestSocket())) {
                assertEquals("stale-request", second.readText(13));
                assertEquals(2, ch.stats().guestAttachments());
            }
        }
    }

    @Test
    void keptHostBytesAreBoundedAndTheHostFeelsBackpressure() throws Exception {
        long written = 0;
        try (Peer host = Peer.connect(ch.hostSocket())) {
            ch.awaitStats(ChannelStats::hostConnected, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            // Write until the simulator holds its bound and the kernel's buffers are full too.
            while (true) {
                ByteBuffer chunk = ByteBuffer.wrap(Bytes.pattern(7, written, 4096));
                int n = host.writeNow(chunk);
                written += n;
                if (n == 0 && ch.stats().hostBytesHeld() == CAPACITY) {
                    break;
                }
                assertTrue(System.nanoTime() - deadline < 0, "timeout; " + ch.stats().summary());
            }
            assertTrue(written > CAPACITY, "written=" + written);
            assertEquals(CAPACITY, ch.stats().hostBytesHeld());
            assertEquals(CAPACITY, ch.stats().bytesFromHost(), "the simulator read beyond its bound");

            try (Peer guest = Peer.connect(ch.guestSocket())) {
                Bytes.assertPattern(7, 0, guest.read((int) written));
            }
            ChannelStats s = ch.stats();
            assertEquals(written, s.bytesHostToGuest());
            assertEquals(0, s.hostBytesDropped());
        }
    }

    @Test
    void keptHostBytesAreDroppedWhenTheirClientLeavesFirst() throws Exception {
        try (Peer old = Peer.connect(ch.hostSocket())) {
            old.write("orphan");
            ch.awaitStats(s -> s.hostBytesHeld() == 6, TIMEOUT);
        }
        ch.awaitStats(s -> !s.hostConnected() && s.hostBytesDropped() == 6 && s.hostBytesHeld() == 0, TIMEOUT);
        try (Peer guest = Peer.connect(ch.guestSocket()); Peer next = Peer.connect(ch.hostSocket())) {
            ch.awaitStats(s -> s.guestAttached() && s.hostClientsServed() == 2, TIMEOUT);
            next.write("new");
            assertEquals("new", guest.readText(3));
        }
    }

    @Test
    void aSecondGuestIsRefusedWhileOneIsAttached() throws Exception {
        try (Peer host = Peer.connect(ch.hostSocket())) {
            try (Peer first = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.guestAttached() && s.hostConnected(), TIMEOUT);
                ConnectException busy = assertThrows(ConnectException.class, () -> Peer.connect(ch.guestSocket()).close());
                assertTrue(busy.getMessage().contains("refused"), busy.getMessage());
                host.write("still-yours");
                assertEquals("still-yours", first.readText(11));
                assertEquals(1, ch.stats().guestAttachments());
            }
            ch.awaitStats(s -> !s.guestAttached(), TIMEOUT);
            try (Peer second = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.guestAttachments() == 2, TIMEOUT);
                host.write("now-yours");
                assertEquals("now-yours", second.readText(9));
            }
        }
    }

    @Test
    void detachGuestClosesItAndTheNextGuestAttaches() throws Exception {
        try (Peer host = Peer.connect(ch.hostSocket()); Peer first = Peer.connect(ch.guestSocket())) {
            ch.awaitStats(s -> s.guestAttached() && s.hostConnected(), TIMEOUT);
            ch.detachGuest();
            assertTrue(!ch.stats().guestAttached(), "detachGuest returns once the guest is detached");
            first.awaitEof();
            try (Peer second = Peer.connect(ch.guestSocket())) {
                ch.awaitStats(s -> s.guestAttachments() == 2 && s.guestAttached(), TIMEOUT);
                second.write("from-second");
                assertEquals("from-second", host.readText(11));
            }
        }
    }

    /** virtio-serial.md: a partial frame and the next client's bytes reach the guest with no gap. */
    @Test
    void anOldHostsPartialFrameAndTheNextHostsBytesArriveBackToBack() throws Exception {
        try (Peer guest = Peer.connect(ch.guestSocket())) {
            try (Peer old = Peer.connect(ch.hostSocket())) {
                ch.awaitStats(s -> s.guestAttached() && s.hostConnected(), TIMEOUT);
                old.write("QTX1-half");
                ch.awaitStats(s -> s.bytesHostToGuest() == 9, TIMEOUT);
            }
            ch.awaitStats(s -> !s.hostConnected(), TIMEOUT);
            try (Peer next = Peer.connect(ch.hostSocket())) {
                ch.awaitStats(s -> s.hostClientsServed() == 2, TIMEOUT);
                next.write("QTX1-whole");
                assertEquals("QTX1-halfQTX1-whole", guest.readText(19));
                assertArrayEquals(new byte[0], guest.readNow(), "no end-of-file between the two clients");
            }
        }
    }
    /**
     * Bytes the simulator holds for an attached guest that is slow to read are already on their
     * way (in the virtqueue, on a real port): they survive the host leaving, in order, and the
     * next host's bytes follow them.
     */
    @Test
    void bytesHeldForAnAttachedGuestSurviveTheHostLeaving() throws Exception {
        try (Peer guest = Peer.connect(ch.guestSocket()); Peer old = Peer.connect(ch.hostSocket())) {
            ch.awaitStats(s -> s.guestAttached() && s.hostConnected(), TIMEOUT);
            Background flood = Background.start("host-floods", () -> {
                try {
                    old.write(Bytes.pattern(9, 0, 4 * 1024 * 1024));
                } catch (IOException expected) {
                    // Broken pipe: the simulator drops this client while it still writes.
                }
            });
            ch.awaitStats(s -> s.hostBytesHeld() == CAPACITY, TIMEOUT);
            ch.dropHost();
            flood.join(TIMEOUT);
            ChannelStats left = ch.stats();
            assertEquals(CAPACITY, left.hostBytesHeld(), "bytes on their way to the guest were dropped");
            assertEquals(0, left.hostBytesDropped());
            try (Peer next = Peer.connect(ch.hostSocket())) {
                next.write("NEXT");
                Bytes.assertPattern(9, 0, guest.read((int) left.bytesFromHost()));
                assertEquals("NEXT", guest.readText(4));
            }
        }
    }
}
