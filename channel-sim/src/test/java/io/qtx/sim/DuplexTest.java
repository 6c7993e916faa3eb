package io.qtx.sim;

import static io.qtx.sim.Peer.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed's hang, from the simulator's side: nothing waiting in one direction may hold up the other. */
class DuplexTest extends OneChannelTest {

    private static final int STREAM = 4 * 1024 * 1024;

    Peer host;
    Peer guest;

    @BeforeEach
    void connect() throws Exception {
        host = Peer.connect(ch.hostSocket());
        guest = Peer.connect(ch.guestSocket());
        ch.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
    }

    @AfterEach
    void disconnect() throws IOException {
        host.close();
        guest.close();
    }

    @Test
    void aPendingReadNeverDelaysAWrite() throws Exception {
        // The guest waits for a reply that the host sends only after it got the guest's request.
        Background waiting = Background.start("guest-awaits-reply", () -> assertEquals("reply", guest.readText(5)));
        guest.write("request");
        assertEquals("request", host.readText(7));
        host.write("reply");
        waiting.join(TIMEOUT);
    }

    @Test
    void aGuestThatDoesNotReadStillGetsItsBytesToTheHost() throws Exception {
        oneSideStopsReading(guest, host, s -> s.hostBytesHeld() == ChannelRelay.RELAY_BUFFER_BYTES);
    }

    @Test
    void aHostThatDoesNotReadStillGetsItsBytesToTheGuest() throws Exception {
        oneSideStopsReading(host, guest, s -> s.guestBytesHeld() == ChannelRelay.RELAY_BUFFER_BYTES);
    }

    /**
     * {@code idle} does not read while {@code busy} floods it, until the whole path towards
     * {@code idle} is full ({@code pathFull}); {@code idle}'s own bytes must still reach {@code busy}.
     */
    private void oneSideStopsReading(Peer idle, Peer busy, Predicate<ChannelStats> pathFull) throws Exception {
        Background flood = Background.start("flood", () -> busy.write(Bytes.pattern(1, 0, STREAM)));
        ch.awaitStats(pathFull, TIMEOUT);
        Background talk = Background.start("talk", () -> idle.write(Bytes.pattern(2, 0, STREAM)));
        Bytes.assertPattern(2, 0, busy.read(STREAM));
        talk.join(TIMEOUT);
        Bytes.assertPattern(1, 0, idle.read(STREAM));
        flood.join(TIMEOUT);
    }

    @Test
    void bothDirectionsStreamAtOnce() throws Exception {
        Background hostWrites = Background.start("host-writes", () -> host.write(Bytes.pattern(5, 0, STREAM)));
        Background guestWrites = Background.start("guest-writes", () -> guest.write(Bytes.pattern(6, 0, STREAM)));
        Background guestReads = Background.start("guest-reads", () -> Bytes.assertPattern(5, 0, guest.read(STREAM)));
        Bytes.assertPattern(6, 0, host.read(STREAM));
        guestReads.join(TIMEOUT);
        hostWrites.join(TIMEOUT);
        guestWrites.join(TIMEOUT);
        ChannelStats s = ch.stats();
        assertEquals(STREAM, s.bytesHostToGuest());
        assertEquals(STREAM, s.bytesGuestToHost());
        assertEquals(0, s.hostBytesDropped() + s.guestBytesDropped());
    }
}
