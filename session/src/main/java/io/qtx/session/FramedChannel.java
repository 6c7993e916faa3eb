package io.qtx.session;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import com.google.protobuf.MessageLite;

import io.qtx.epoll.EventLoop;
import io.qtx.epoll.IoEvents;
import io.qtx.epoll.Registration;
import io.qtx.epoll.Timer;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.ffi.Syscalls;
import io.qtx.protocol.EnvelopeDecoder;
import io.qtx.framing.FrameReader;
import io.qtx.framing.FrameWriter;
import io.qtx.framing.ReaderStats;
import io.qtx.framing.ResyncReason;
import io.qtx.proto.Envelope;
import io.qtx.protocol.ProtoFrames;

/**
 * Moves envelopes over one descriptor on an {@link EventLoop}: bytes are read straight into
 * the frame reader's ring and decoded in place; envelopes are serialised straight into the
 * frame writer's queue and written in chunks of at most 32 KiB, short writes continued when the
 * descriptor turns writable. Registered edge-triggered, so a port with no host costs nothing.
 *
 * <p>Reading never waits for writing or the other way round: both are non-blocking calls made
 * as the kernel reports readiness. Loop thread only, like everything on the loop.
 */
public final class FramedChannel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FramedChannel.class.getName());

    private final EventLoop loop;
    private final Fd fd;
    private final ChannelOptions options;
    private final ChannelListener listener;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final EnvelopeDecoder decoder;
    private Registration registration;
    private final WriteDeadline writeDeadline;
    private Timer stallCheck;
    /** For a port: whether a host is connected as far as we can tell. Sockets: always true. */
    private boolean peerPresent;
    private boolean closed;
    private final ReadPacing pacing;

    /** Takes ownership of {@code fd}; call {@link #start()} to begin. */
    public FramedChannel(EventLoop loop, Fd fd, ChannelOptions options, ChannelListener listener) {
        this.loop = loop;
        this.fd = fd;
        this.options = options;
        this.listener = listener;
        FrameReader r = null;
        try {
            r = new FrameReader(options.maxInboundPayload(), options.stallTimeout().toNanos());
            this.writer = new FrameWriter(options.outboundCapacity(), options.maxOutboundPayload());
        } catch (RuntimeException e) {
            if (r != null) {
                r.close();
            }
            fd.close();
            throw e;
        }
        this.reader = r;
        this.decoder = new EnvelopeDecoder(this::deliver, options.inbound().limits());
        this.writeDeadline = new WriteDeadline(loop, options.writeTimeout(),
                () -> !closed && writer.pendingBytes() > 0, listener::onWriteTimeout);
        this.pacing = new ReadPacing(loop, options.inbound(), () -> {
            if (!closed) {
                readAvailable();
            }
        });
        this.peerPresent = options.kind() == ChannelOptions.Kind.STREAM_SOCKET;
    }

    /** Registers with the loop; a port reports its host's presence through the listener from now on. */
    public void start() throws NativeException {
        loop.checkInLoop("FramedChannel.start");
        int interest = IoEvents.READABLE | IoEvents.WRITABLE | IoEvents.PEER_CLOSED;
        try {
            registration = loop.register(fd, interest, true, new Events());
        } catch (NativeException | RuntimeException e) {
            closeWith(e instanceof NativeException n ? n : new IOException(e));
            throw e;
        }
        if (peerPresent) {
            armStallCheck();
        }
    }

    /**
     * The stall check runs only while a peer is there: a virtio port with no host receives
     * nothing, holds no half frame (dropped when the host left) and must cost no wake-ups.
     */
    private void armStallCheck() {
        if (stallCheck == null && !closed) {
            Duration stall = options.stallTimeout();
            stallCheck = loop.scheduleAtFixedRate(stall.dividedBy(2), stall.dividedBy(2), this::checkStall);
        }
    }

    public Fd fd() {
        return fd;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** For a virtio port: whether a host is connected, as far as the port has told us. */
    public boolean isPeerPresent() {
        return peerPresent;
    }

    /**
     * Queues {@code message} as one frame and starts writing it.
     *
     * @return false when it was not queued: the queue is full (the peer is not reading), or closed
     */
    public boolean send(MessageLite message) {
        return send(message, 0);
    }

    /** Like {@link #send(MessageLite)}, but only if {@code keepFree} bytes stay free (room for replies). */
    public boolean send(MessageLite message, int keepFree) {
        if (closed || !ProtoFrames.offer(writer, message, keepFree)) {
            return false;
        }
        flush();
        return true;
    }

    /** Writes frames at the header from now on: QTX1 until the handshake agrees on QTX2. */
    public void frameVersion(byte version) {
        writer.frameVersion(version);
    }

    /** The frame version being written. */
    public byte frameVersion() {
        return writer.frameVersion();
    }

    /** Gives up an incomplete inbound frame (on every connection transition) and decodes what follows. */
    public void resetInbound() {
        // Every half frame is abandoned, not just the first: a false header inside the
        // abandoned bytes would otherwise hold the next session up until the stall bound.
        reader.resetAll(decoder);
    }

    /** Drops everything queued and not yet written: it was meant for a peer that is gone. */
    public void discardOutbound() {
        writer.clear();
        writeDeadline.cancel();
    }

    public int pendingOutboundBytes() {
        return writer.pendingBytes();
    }

    ReaderStats readerStats() {
        return reader.stats();
    }

    long framesReceived() {
        return reader.frames();
    }

    /** Payloads refused unparsed for breaking the inbound {@link InboundBudget#limits()}. */
    long envelopesOverLimits() {
        return decoder.overLimits();
    }

    /** True while reading is stopped because the peer is over a rate. */
    boolean isThrottled() {
        return pacing.isPaused();
    }

    /** The channel's counters with the session's own three, as one snapshot. */
    SessionCounters counters(long discardedBeforeReady, long handshakes, long pingsRefused) {
        ReaderStats r = reader.stats();
        long[] resyncs = new long[ResyncReason.values().length];
        for (ResyncReason reason : ResyncReason.values()) {
            resyncs[reason.ordinal()] = r.resyncs(reason);
        }
        return new SessionCounters(reader.frames(), writer.framesQueued(), writer.framesRefused(), r.payloadBytes(),
                writer.bytesWritten(), r.bytesSkipped(), resyncs, discardedBeforeReady, handshakes, writeDeadline.expiries(),
                writer.pendingBytes(), decoder.invalid() + decoder.unusable() + decoder.overLimits(),
                decoder.overLimits(), decoder.lastOverLimit(), pacing.throttles(), pacing.isPaused(),
                pacing.budgetYields(), pingsRefused);
    }

    /**
     * Stops reading for {@code nanos} (the peer went over a rate the owner keeps, e.g. pings);
     * counted as a throttle. Bytes wait in the kernel meanwhile; nothing is dropped.
     */
    public void pauseReading(long nanos) {
        if (!closed) {
            pacing.pause(nanos);
        }
    }

    /** The loop tells us our handler threw: its registration is closed; close the rest the usual way. */
    private final class Events implements io.qtx.epoll.IoHandler {
        @Override
        public void onEvents(Registration r, int events) {
            FramedChannel.this.onEvents(r, events);
        }

        @Override
        public void failed(Registration r, Throwable cause) {
            closeWith(new IOException("handling " + fd.description() + " failed: " + cause, cause));
        }
    }

    private void onEvents(Registration r, int events) {
        if ((events & IoEvents.READABLE) != 0) {
            readAvailable();
        }
        if (closed) {
            return;
        }
        boolean hungUp = (events & (IoEvents.HANGUP | IoEvents.ERROR)) != 0;
        if (options.kind() == ChannelOptions.Kind.VIRTIO_PORT) {
            if (hungUp) {
                peerGone();
            } else if ((events & IoEvents.WRITABLE) != 0 && !peerPresent) {
                peerPresent = true;
                armStallCheck();
                listener.onPeerArrived();
            }
        } else if ((hungUp || (events & IoEvents.PEER_CLOSED) != 0) && !pacing.isHeldBack()) {
            // Anything readable was read above; the peer is gone for good. (While a budget or a
            // rate holds reading back, the read that meets end of input closes instead.)
            closeWith(new IOException("peer closed " + fd.description()));
            return;
        }
        if (!closed && (events & IoEvents.WRITABLE) != 0) {
            flush();
        }
    }

    /**
     * Reads and decodes until the socket is drained, this turn's budget (bytes, frames) is spent
     * (then a continuation is queued behind the loop's other ready descriptors: edge-triggered,
     * nothing else would come back for the rest), or the peer is over a rate (then reading
     * stops until its bucket clears).
     */
    private void readAvailable() {
        if (pacing.isPaused()) {
            return; // the end of the pause reads whatever waits
        }
        InboundBudget budget = options.inbound();
        long bytes = 0;
        int frames = 0;
        boolean drained = false;
        try {
            while (!closed) {
                // One clock reading for the buckets: what poll may take and whether to pause must
                // agree, or frames could stay in the ring with nothing left to wake us for them.
                long now = System.nanoTime();
                int allowed = pacing.framesAllowed(budget.framesPerWake() - frames, now);
                if (allowed > 0) {
                    int got = reader.poll(decoder, allowed);
                    frames += got;
                    pacing.framesTaken(got, now);
                }
                if (closed || pacing.isPaused() || pacing.overRate(now)) {
                    return;
                }
                if (frames >= budget.framesPerWake() || bytes >= budget.bytesPerWake()) {
                    pacing.continueNextTurn();
                    return;
                }
                if (drained) {
                    return;
                }
                MemorySegment space = reader.ring().writable();
                if (space.byteSize() == 0) {
                    return; // a full ring with no frame to decode cannot happen: it holds one maximum frame
                }
                space = pacing.bytesAllowed(space);
                long n = fd.read(space);
                if (n == Syscalls.WOULD_BLOCK) {
                    return;
                }
                if (n == 0) {
                    if (options.kind() == ChannelOptions.Kind.VIRTIO_PORT) {
                        peerGone();
                    } else {
                        closeWith(new IOException("end of input on " + fd.description()));
                    }
                    return;
                }
                reader.ring().commit((int) n);
                bytes += n;
                pacing.bytesTaken(n);
                drained = drainedBy(n, space);
            }
        } catch (NativeException e) {
            closeWith(e);
        }
    }

    /**
     * A stream socket returns less than asked only when its receive queue is empty, and any later
     * arrival raises a new edge, so the read that would only say EAGAIN is skipped: one syscall
     * less per wake-up. A virtio port returns one 4 KiB buffer per read however many wait, so
     * there only EAGAIN says "drained".
     */
    private boolean drainedBy(long n, MemorySegment space) {
        return n < space.byteSize() && options.kind() == ChannelOptions.Kind.STREAM_SOCKET;
    }

    private void deliver(Envelope envelope, byte frameVersion) {
        if (!closed) {
            listener.onEnvelope(envelope, frameVersion);
        }
    }

    private void peerGone() {
        if (peerPresent) {
            peerPresent = false;
            if (stallCheck != null) {
                stallCheck.cancel();
                stallCheck = null;
            }
            resetInbound();
            discardOutbound();
            listener.onPeerGone();
        }
    }

    private void flush() {
        try {
            while (!closed && writer.pendingBytes() > 0) {
                MemorySegment chunk = writer.readable(ChannelOptions.MAX_WRITE_CHUNK);
                long n = fd.write(chunk);
                if (n == Syscalls.WOULD_BLOCK) {
                    writeDeadline.arm();
                    return;
                }
                writer.consumed((int) n);
                // Progress: the peer is reading, so the deadline starts again.
                writeDeadline.cancel();
            }
        } catch (NativeException e) {
            if (options.kind() == ChannelOptions.Kind.VIRTIO_PORT) {
                // A port write fails only while the host is away; the next arrival starts afresh.
                LOG.log(System.Logger.Level.DEBUG, "write to {0}: {1}", fd, e.getMessage());
                peerGone();
            } else {
                closeWith(e);
            }
        }
    }

    private void checkStall() {
        if (!closed && reader.expire(System.nanoTime())) {
            reader.poll(decoder);
        }
    }

    /** Closes on purpose: the listener hears {@code onClosed(null)}. */
    @Override
    public void close() {
        closeWith(null);
    }

    private void closeWith(IOException cause) {
        if (closed) {
            return;
        }
        closed = true;
        writeDeadline.cancel();
        pacing.cancel();
        if (stallCheck != null) {
            stallCheck.cancel();
        }
        if (registration != null) {
            registration.close();
        } else {
            fd.close();
        }
        reader.close();
        writer.close();
        listener.onClosed(cause);
    }

    @Override
    public String toString() {
        return "FramedChannel[" + fd.description() + (closed ? ", closed" : "") + "]";
    }
}
