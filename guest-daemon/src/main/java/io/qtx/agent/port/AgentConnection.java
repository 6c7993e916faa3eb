package io.qtx.agent.port;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.qtx.agent.handlers.Dispatcher;
import io.qtx.epoll.EventLoop;
import io.qtx.epoll.Timer;
import io.qtx.epoll.UnixSockets;
import io.qtx.ffi.Errno;
import io.qtx.ffi.Fd;
import io.qtx.ffi.NativeException;
import io.qtx.kit.Backoff;
import io.qtx.kit.DirectoryWatcher;
import io.qtx.kit.Uptime;
import io.qtx.proto.AgentCounters;
import io.qtx.proto.Envelope;
import io.qtx.proto.Hello;
import io.qtx.proto.Pong;
import io.qtx.proto.Response;
import io.qtx.proto.TelemetryReport;
import io.qtx.session.ChannelOptions;
import io.qtx.session.Handshake;
import io.qtx.session.Session;

/**
 * The agent's side of the channel, as a state machine: waiting for port → waiting for host →
 * handshake → running, and back. The port is opened once and held: with no host the session
 * sleeps on the port's next edge (no reopening, no polling). A port that is missing is waited
 * for with inotify; one held by another process (EBUSY) is retried with backoff, as is a
 * socket that refuses. Every transition is logged and handed to {@code onState}.
 *
 * <p>Loop thread only, except {@link #start()}.
 */
public final class AgentConnection implements Dispatcher.SessionView {

    private static final System.Logger LOG = System.getLogger(AgentConnection.class.getName());
    private static final Duration HELLO_RETRY = Duration.ofSeconds(3);
    private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** Queue room telemetry leaves free, so a reply always finds space. */
    static final int REPLY_RESERVE = 256 * 1024;

    private final EventLoop loop;
    private final PortAddress address;
    private final ChannelOptions portOptions;
    private final Handshake.Identity identity;
    private final Dispatcher dispatcher;
    private final Supplier<AgentCounters.Builder> extraCounters;
    private final Consumer<ConnectionState> onState;
    private final ChannelCounters counters = new ChannelCounters();
    private final Uptime uptime = new Uptime();
    /** Reopening after a refusal (EBUSY, a socket that refuses, a channel that closed). */
    private final Backoff backoff = Backoff.exact(MIN_BACKOFF, MAX_BACKOFF);
    private ConnectionState state = ConnectionState.STOPPED;
    private Session session;
    private DirectoryWatcher waiter;
    private Timer retry;
    /** Written by the loop; volatile because workers compare it before running a queued request. */
    private volatile long epoch;
    private boolean everRunning;
    private boolean stopped;

    public AgentConnection(EventLoop loop, PortAddress address, ChannelOptions portOptions, Handshake.Identity identity,
                           Dispatcher dispatcher, Supplier<AgentCounters.Builder> extraCounters,
                           Consumer<ConnectionState> onState) {
        this.loop = loop;
        this.address = address;
        this.portOptions = portOptions;
        this.identity = identity;
        this.dispatcher = dispatcher;
        this.extraCounters = extraCounters;
        this.onState = onState;
    }

    /** Begins looking for the port; any thread. */
    public void start() {
        loop.execute(() -> {
            transition(ConnectionState.WAITING_FOR_PORT, "looking for " + address.describe());
            tryOpen();
        });
    }

    public ConnectionState state() {
        return state;
    }

    public boolean isRunning() {
        return state == ConnectionState.RUNNING;
    }

    /** Queues a telemetry report; false when it could not be (not running, or the queue is full). */
    public boolean sendTelemetry(TelemetryReport report) {
        return session != null && session.isReady()
                && session.send(Envelope.newBuilder().setTelemetry(report), REPLY_RESERVE) != -1;
    }

    /** Channel counters merged with the agent's own (telemetry drops, expired requests). */
    public AgentCounters counters() {
        AgentCounters.Builder b = counters.snapshot(session == null ? null : session.counters());
        AgentCounters.Builder extra = extraCounters.get();
        return b.setTelemetryDropped(extra.getTelemetryDropped()).setRequestsExpired(extra.getRequestsExpired()).build();
    }

    private void tryOpen() {
        retry = null;
        if (stopped || session != null) {
            return;
        }
        String path = address.locate();
        if (path == null) {
            if (waiter == null) {
                LOG.log(System.Logger.Level.INFO, "waiting for " + address.describe());
                waiter = portWaiter();
                waiter.start();
            }
            return;
        }
        if (address.isSocket()) {
            UnixSockets.connect(loop, address.socketPath(), new UnixSockets.ConnectCallback() {
                @Override
                public void connected(Fd fd) {
                    begin(fd, ChannelOptions.Kind.STREAM_SOCKET, path);
                }

                @Override
                public void failed(IOException cause) {
                    retryLater("connect " + path + ": " + cause.getMessage());
                }
            });
            return;
        }
        try {
            begin(UnixSockets.openDevice(path), ChannelOptions.Kind.VIRTIO_PORT, path);
        } catch (NativeException e) {
            if (e.errno() == Errno.EBUSY) {
                retryLater(path + " is held open by another process (EBUSY): the port takes one opener;"
                        + " find it with 'fuser " + path + "'");
            } else {
                retryLater("open " + path + ": " + e.getMessage());
            }
        }
    }

    /**
     * Wakes {@link #tryOpen()} when the port may have appeared: at once through inotify, and on a
     * timer backing off from 1 s to 30 s for what inotify cannot see (sysfs).
     */
    private DirectoryWatcher portWaiter() {
        List<Path> directories = address.watchDirectories().stream().map(Path::of).toList();
        return new DirectoryWatcher(loop, directories, Backoff.exact(MIN_BACKOFF, MAX_BACKOFF),
                new DirectoryWatcher.Listener() {
                    @Override
                    public void changed(List<DirectoryWatcher.Change> changes) {
                        tryOpen();
                    }

                    @Override
                    public void check() {
                        tryOpen();
                    }
                });
    }

    private void retryLater(String why) {
        Duration delay = backoff.next();
        LOG.log(System.Logger.Level.WARNING, why + "; retrying in " + delay.toMillis() + " ms");
        retry = loop.schedule(delay, this::tryOpen);
    }

    private void begin(Fd fd, ChannelOptions.Kind kind, String path) {
        if (waiter != null) {
            waiter.close();
            waiter = null;
        }
        Session s = new Session(loop, fd, portOptions.withKind(kind), identity, HELLO_RETRY, this::pong, new Events(), path);
        session = s;
        try {
            s.start();
        } catch (NativeException | RuntimeException e) {
            session = null;
            s.close();
            retryLater("start channel on " + path + ": " + e.getMessage());
            return;
        }
        backoff.reset();
        LOG.log(System.Logger.Level.INFO, "opened " + path);
        if (session == s && state != ConnectionState.RUNNING) {
            transition(s.isPeerPresent() ? ConnectionState.HANDSHAKE : ConnectionState.WAITING_FOR_HOST,
                    s.isPeerPresent() ? "connected to " + path : "no host on " + path + " yet");
        }
    }

    private Pong pong() {
        return uptime.pong(counters().toBuilder());
    }

    private void transition(ConnectionState next, String why) {
        if (next == state) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "state: " + state + " -> " + next + " (" + why + ")");
        state = next;
        onState.accept(next);
    }

    /** Closes the channel and stops for good; loop thread. */
    public void stop() {
        stopped = true;
        if (retry != null) {
            retry.cancel();
        }
        if (waiter != null) {
            waiter.close();
            waiter = null;
        }
        if (session != null) {
            session.close();
        }
        transition(ConnectionState.STOPPED, "shutting down");
    }

    // --- Dispatcher.SessionView -------------------------------------------------------------

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public int maxPayloadBytes() {
        Hello peer = session == null ? null : session.peerHello();
        int theirs = peer == null || peer.getMaxPayloadBytes() == 0 ? Integer.MAX_VALUE : peer.getMaxPayloadBytes();
        return Math.min(theirs, portOptions.maxOutboundPayload());
    }

    @Override
    public boolean reply(long replyTo, Response response) {
        return session != null && session.reply(replyTo, Envelope.newBuilder().setResponse(response)) != -1;
    }

    @Override
    public String name() {
        return "#" + epoch;
    }

    private final class Events implements Session.Listener {

        @Override
        public void onPeerArrived() {
            epoch++;
            transition(ConnectionState.HANDSHAKE, "host connected");
        }

        @Override
        public void onReady(Hello peer) {
            epoch++;
            if (everRunning) {
                counters.reconnected();
            }
            everRunning = true;
            String who = peer.getRole() + " " + peer.getSoftwareVersion();
            if (state == ConnectionState.RUNNING) {
                // A new host said Hello without the old one's leaving being seen (a socket, or a
                // host restart between two edges): still running, but the log must show it.
                LOG.log(System.Logger.Level.INFO, "state: running, new handshake with " + who);
            }
            transition(ConnectionState.RUNNING, "handshake done with " + who);
        }

        @Override
        public void onEnvelope(Envelope envelope) {
            if (envelope.getPayloadCase() == Envelope.PayloadCase.REQUEST) {
                dispatcher.dispatch(envelope.getId(), envelope.getRequest(), AgentConnection.this);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "ignored a " + envelope.getPayloadCase() + " from the host");
            }
        }

        @Override
        public void onNotReady(String reason) {
            epoch++;
            boolean hostThere = session != null && session.isPeerPresent();
            transition(hostThere ? ConnectionState.HANDSHAKE : ConnectionState.WAITING_FOR_HOST, reason);
        }

        @Override
        public void onClosed(IOException cause) {
            epoch++;
            if (session != null) {
                counters.fold(session.counters());
                session = null;
            }
            if (stopped) {
                return;
            }
            transition(ConnectionState.WAITING_FOR_PORT, cause == null ? "channel closed" : cause.getMessage());
            retryLater("channel closed" + (cause == null ? "" : ": " + cause.getMessage()));
        }
    }
}
