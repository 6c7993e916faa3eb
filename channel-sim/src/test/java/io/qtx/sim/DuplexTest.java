package io.qtx.sim;

import static io.qtx.sim.Peer.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's hang, from the simulator's side: nothing waiting in one direction may hold up the other. */
class DuplexTest {

    private static final int STREAM = 4 * 1024 * 1024;

    @TempDir
    Path dir;
    ChannelSimulator sim;
    SimulatedChannel ch;
    Peer host;
    Peer guest;

    @BeforeEach
    void connect() throws Exception {
        sim = ChannelSimulator.start(dir);
        ch = sim.addVm("vm-1");
        host = Peer.connect(ch.hostSocket());
        guest = Peer.connect(ch.guestSocket());
        ch.awaitStats(s -> s.hostConnected() && s.guestAttached(), TIMEOUT);
    }

    @AfterEach
    void close() throws IOException {
        host.close();
        guest.close();
        sim.close();
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
        Background flood = Background.start("host-floods", () -> host.write(Bytes.pattern(1, 0, STREAM)));
        // The host-to-guest path fills up: the guest's socket, the relay buffer, then the host's socket.
        ch.awaitStats(s -> s.hostBytesHeld() == ChannelRelay.RELAY_BUFFER_BYTES, TIMEOUT);
        Background talk = Background.start("guest-writes", () -> guest.write(Bytes.pattern(2, 0, STREAM)));
        Bytes.assertPattern(2, 0, host.read(STREAM));
        talk.join(TIMEOUT);
        Bytes.assertPattern(1, 0, guest.read(STREAM));
        flood.join(TIMEOUT);
    }

    @Test
    void aHostThatDoesNotReadStillGetsItsBytesToTheGuest() throws Exception {
        Background flood = Background.start("guest-floods", () -> guest.write(Bytes.pattern(3, 0, STREAM)));
        ch.awaitStats(s -> s.guestBytesHeld() == ChannelRelay.RELAY_BUFFER_BYTES, TIMEOUT);
        Background talk = Background.start("host-writes", () -> host.write(Bytes.pattern(4, 0, STREAM)));
        Bytes.assertPattern(4, 0, guest.read(STREAM));
        talk.join(TIMEOUT);
        Bytes.assertPattern(3, 0, host.read(STREAM));
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
