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
    /** The least a rate-limited read asks for. */
    private static final long READ_FLOOR = 1024;

    /** What happens on a channel; called on the loop thread. */
    public interface Listener {

        /** One envelope, decoded from a frame of {@code frameVersion}. */
        void onEnvelope(Envelope envelope, byte frameVersion);

        /** A virtio port's host connected (the port turned writable after a hang-up). */
        default void onPeerArrived() {
        }

        /** A virtio port's host left (hang-up or a zero read). The channel stays open. */
        default void onPeerGone() {
        }

        /** Queued bytes waited longer than the write timeout; the caller decides what to drop. */
        default void onWriteTimeout() {
        }

        /** The channel closed: {@code cause} is null when closed on purpose. Called once. */
        void onClosed(IOException cause);
    }

    private final EventLoop loop;
    private final Fd fd;
    private final ChannelOptions options;
    private final Listener listener;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final EnvelopeDecoder decoder;
    private Registration registration;
    private Timer writeDeadline;
    private Timer stallCheck;
    /** For a port: whether a host is connected as far as we can tell. Sockets: always true. */
    private boolean peerPresent;
    private boolean closed;
    private long writeTimeouts;
    private final TokenBucket bytesRate;
    private final TokenBucket framesRate;
    /** Reading stopped until {@link #resumeTimer} fires: the peer is over its rate. */
    private boolean paused;
    private Timer resumeTimer;
    /** A read continuation is queued on the loop: this turn's budget ran out with more to read. */
    private boolean continuationQueued;
    private long throttles;
    private long budgetYields;

    /** Takes ownership of {@code fd}; call {@link #start()} to begin. */
    public FramedChannel(EventLoop loop, Fd fd, ChannelOptions options, Listener listener) {
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
        long now = System.nanoTime();
        this.bytesRate = InboundBudget.bucket(options.inbound().bytesPerSecond(), options.inbound().burstSeconds(), now);
        this.framesRate = InboundBudget.bucket(options.inbound().framesPerSecond(), options.inbound().burstSeconds(), now);
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
        cancelWriteDeadline();
    }

    public int pendingOutboundBytes() {
        return writer.pendingBytes();
    }

    public ReaderStats readerStats() {
        return reader.stats();
    }

    public long framesReceived() {
        return reader.frames();
    }

    public long framesSent() {
        return writer.framesQueued();
    }

    public long framesRefused() {
        return writer.framesRefused();
    }

    /** Bytes written to the transport: frames with their headers. */
    public long bytesSent() {
        return writer.bytesWritten();
    }

    public long writeTimeouts() {
        return writeTimeouts;
    }

    /** Payloads that framed correctly but were not usable envelopes (over limits included). */
    public long envelopesRejected() {
        return decoder.invalid() + decoder.unusable() + decoder.overLimits();
    }

    /** Payloads refused unparsed for breaking the inbound {@link InboundBudget#limits()}. */
    public long envelopesOverLimits() {
        return decoder.overLimits();
    }

    /** What the last payload refused for its limits broke, or null. */
    public String lastOverLimit() {
        return decoder.lastOverLimit();
    }

    /** Times reading stopped because the peer went over a rate. */
    public long throttles() {
        return throttles;
    }

    /** Turns of the loop that ended with this channel's per-wake-up budget spent and more to read. */
    public long budgetYields() {
        return budgetYields;
    }

    /** True while reading is stopped because the peer is over a rate. */
    public boolean isThrottled() {
        return paused;
    }

    /**
     * Stops reading for {@code nanos} (the peer went over a rate the owner keeps, e.g. pings);
     * counted as a throttle. Bytes wait in the kernel meanwhile; nothing is dropped.
     */
    public void pauseReading(long nanos) {
        if (closed || paused) {
            return;
        }
        paused = true;
        throttles++;
        resumeTimer = loop.schedule(java.time.Duration.ofNanos(Math.max(1_000_000, nanos)), this::resumeReading);
    }

    private void resumeReading() {
        resumeTimer = null;
        paused = false;
        if (!closed) {
            readAvailable();
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
        } else if ((hungUp || (events & IoEvents.PEER_CLOSED) != 0) && !continuationQueued && !paused) {
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
        if (paused) {
            return; // resumeReading reads whatever waits
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
                int allowed = budget.framesPerWake() - frames;
                if (framesRate != null) {
                    allowed = (int) Math.min(allowed, framesRate.available(now));
                }
                if (allowed > 0) {
                    int got = reader.poll(decoder, allowed);
                    frames += got;
                    if (framesRate != null && got > 0) {
                        framesRate.take(got, now);
                    }
                }
                if (closed || paused || overRate(now)) {
                    return;
                }
                if (frames >= budget.framesPerWake() || bytes >= budget.bytesPerWake()) {
                    continueNextTurn();
                    return;
                }
                if (drained) {
                    return;
                }
                MemorySegment space = reader.ring().writable();
                if (space.byteSize() == 0) {
                    return; // a full ring with no frame to decode cannot happen: it holds one maximum frame
                }
                if (bytesRate != null) {
                    // Read no more than the rate allows (a little at least, so a frame always progresses).
                    long allowedBytes = Math.max(READ_FLOOR, bytesRate.available(System.nanoTime()));
                    if (allowedBytes < space.byteSize()) {
                        space = space.asSlice(0, allowedBytes);
                    }
                }
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
                if (bytesRate != null) {
                    bytesRate.take(n, System.nanoTime());
                }
                drained = drainedBy(n, space);
            }
        } catch (NativeException e) {
            closeWith(e);
        }
    }

    private void continueNextTurn() {
        budgetYields++;
        if (!continuationQueued) {
            continuationQueued = true;
            loop.execute(() -> {
                continuationQueued = false;
                if (!closed) {
                    readAvailable();
                }
            });
        }
    }

    /** Over a rate: stop reading until every bucket is clear again. */
    private boolean overRate(long now) {
        // A frame needs a whole token: with less, the next poll could decode nothing.
        long wait = Math.max(bytesRate == null ? 0 : bytesRate.nanosUntilClear(now),
                framesRate == null ? 0 : framesRate.nanosUntil(1, now));
        if (wait <= 0) {
            return false;
        }
        pauseReading(wait);
        return true;
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

    private void pollFrames() {
        reader.poll(decoder);
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
                    armWriteDeadline();
                    return;
                }
                writer.consumed((int) n);
                // Progress: the peer is reading, so the deadline starts again.
                cancelWriteDeadline();
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

    private void armWriteDeadline() {
        if (writeDeadline == null) {
            writeDeadline = loop.schedule(options.writeTimeout(), this::writeTimedOut);
        }
    }

    private void cancelWriteDeadline() {
        if (writeDeadline != null) {
            writeDeadline.cancel();
            writeDeadline = null;
        }
    }

    private void writeTimedOut() {
        writeDeadline = null;
        if (!closed && writer.pendingBytes() > 0) {
            writeTimeouts++;
            listener.onWriteTimeout();
        }
    }

    private void checkStall() {
        if (!closed && reader.expire(System.nanoTime())) {
            pollFrames();
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
        cancelWriteDeadline();
        if (resumeTimer != null) {
            resumeTimer.cancel();
            resumeTimer = null;
        }
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
