package io.qtx.sim;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Plays QEMU's side of libvirt virtio-serial channels, one per VM, for tests and demos.
 *
 * <pre>{@code
 * try (ChannelSimulator sim = ChannelSimulator.start(dir)) {
 *     SimulatedChannel ch = sim.addVm("vm-1");
 *     // host daemon connects to ch.hostSocket(), guest daemon to ch.guestSocket()
 *     ch.awaitStats(s -> s.hostConnected() && s.guestAttached(), Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>One thread with one {@link Selector} serves every channel; other threads hand it work and
 * wait for it. {@link #close()} closes every socket, deletes the socket files and joins the
 * thread, so nothing of the simulator outlives it.
 */
public final class ChannelSimulator implements AutoCloseable {

    /** Libvirt names and UUIDs fit; nothing that could leave {@code dir} or hide a socket does. */
    private static final Pattern VM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** How long a caller waits for the simulator's thread to run its request. */
    private static final long CALL_TIMEOUT_SECONDS = 10;

    private final Path dir;
    private final TransitionListener listener;
    private final Selector selector;
    private final Thread thread;
    /** Work handed to the simulator's thread, run between two selects. */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** The channels by VM, for callers; the relays themselves belong to the thread. */
    private final Map<String, SimulatedChannel> channels = new ConcurrentHashMap<>();
    /** Owned by the simulator's thread. */
    private final Map<String, ChannelRelay> relays = new LinkedHashMap<>();
    private volatile boolean stopping;
    private volatile boolean stopped;
    private volatile Throwable failure;

    private ChannelSimulator(Path dir, TransitionListener listener) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.listener = listener;
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name("qtx-channel-sim").daemon(true).unstarted(this::run);
    }

    /** Starts a simulator with no channel yet; {@code dir} must exist. */
    public static ChannelSimulator start(Path dir) throws IOException {
        return start(dir, TransitionListener.NONE);
    }

    /** Starts a simulator that reports every transition of every channel to {@code listener}. */
    public static ChannelSimulator start(Path dir, TransitionListener listener) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("dir=" + dir + " is not a directory");
        }
        ChannelSimulator sim = new ChannelSimulator(dir, listener);
        sim.thread.start();
        return sim;
    }

    /**
     * Opens the channel of one VM: {@code {dir}/{vmId}.agent.sock} for the host and
     * {@code {dir}/{vmId}.port.sock} for the guest, replacing leftover files of those names.
     *
     * @throws IllegalArgumentException when {@code vmId} is malformed or already has a channel
     * @throws IOException when a socket cannot be bound
     */
    public SimulatedChannel addVm(String vmId) throws IOException {
        if (!VM_ID.matcher(vmId).matches()) {
            throw new IllegalArgumentException("vmId=" + vmId + " must match " + VM_ID);
        }
        return call(() -> {
            if (relays.containsKey(vmId)) {
                throw new IllegalArgumentException("vmId=" + vmId + " already has a channel");
            }
            try {
                ChannelRelay relay = new ChannelRelay(this, vmId, dir, selector, listener);
                relays.put(vmId, relay);
                channels.put(vmId, relay.handle());
                return relay.handle();
            } catch (IOException e) {
                throw new CompletionFailure(e);
            }
        });
    }

    /** The channel of {@code vmId}, or null if there is none. */
    public SimulatedChannel channel(String vmId) {
        return channels.get(vmId);
    }

    /** Whether the simulator's thread has stopped (closed, or failed). */
    boolean isStopped() {
        return stopped;
    }

    /** The directory the sockets are in. */
    public Path dir() {
        return dir;
    }

    /** Computes {@code query} on the simulator's thread, between two of its steps. */
    <T> T query(Supplier<T> query) {
        try {
            return call(query);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code action} on the simulator's thread and returns when it has run. */
    void onLoop(Runnable action) {
        try {
            call(() -> {
                action.run();
                return null;
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T call(Supplier<T> action) throws IOException {
        if (Thread.currentThread() == thread) {
            return unwrap(action);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(unwrap(action));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        selector.wakeup();
        if (stopped) {
            result.completeExceptionally(new IllegalStateException("simulator is closed", failure));
        }
        try {
            return result.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("simulator thread did not answer in " + CALL_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the simulator", e);
        }
    }

    private static <T> T unwrap(Supplier<T> action) throws IOException {
        try {
            return action.get();
        } catch (CompletionFailure f) {
            throw f.io;
        }
    }

    /** Carries an IOException out of a Supplier. */
    private static final class CompletionFailure extends RuntimeException {
        final IOException io;

        CompletionFailure(IOException io) {
            super(io);
            this.io = io;
        }
    }

    private void run() {
        try {
            while (!stopping) {
                // selectNow() in finishClosingPortListeners clears a pending wakeup(), so a task
                // queued meanwhile would wait in a blocking select forever: block only when none is.
                if (tasks.isEmpty()) {
                    selector.select(this::dispatch);
                } else {
                    selector.selectNow(this::dispatch);
                }
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                finishClosingPortListeners();
            }
        } catch (Throwable t) {
            failure = t;
            System.getLogger(ChannelSimulator.class.getName()).log(System.Logger.Level.ERROR,
                    "channel simulator stopped on an error", t);
        } finally {
            stopped = true;
            relays.values().forEach(ChannelRelay::close);
            try {
                selector.close();
            } catch (IOException e) {
                // Its channels are closed already; nothing more to release.
            }
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run(); // each fails on its closed channel, or finds nothing to do; the caller is answered
            }
            channels.values().forEach(SimulatedChannel::markClosed);
        }
    }

    /** Lets the selector deregister, and so really close, the port listeners of newly attached guests. */
    private void finishClosingPortListeners() throws IOException {
        List<ChannelRelay> closing = relays.values().stream().filter(ChannelRelay::portListenerClosing).toList();
        while (!closing.isEmpty()) {
            // Deregisters what was cancelled before it; keys its own dispatch cancels wait for the next round.
            selector.selectNow(this::dispatch);
            closing.forEach(ChannelRelay::portListenerClosed);
            closing = relays.values().stream().filter(ChannelRelay::portListenerClosing).toList();
        }
    }

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return; // closed by an earlier key of the same round
        }
        ChannelRelay relay = (ChannelRelay) key.attachment();
        try {
            relay.pump();
        } catch (RuntimeException e) {
            // One broken channel must not take the others down with it.
            System.getLogger(ChannelSimulator.class.getName()).log(System.Logger.Level.ERROR,
                    "vm=" + relay.vmId() + ": closing the channel after an error", e);
            relay.close();
        }
    }

    /**
     * Closes every channel (every socket, every socket file) and stops the thread; returns once
     * it has stopped. Idempotent.
     */
    @Override
    public void close() {
        stopping = true;
        selector.wakeup();
        if (Thread.currentThread() == thread) {
            return; // called from a listener: the loop ends after this round
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
