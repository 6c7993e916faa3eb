package io.qtx.node.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cuts off a client that stops taking its answer. A blocking socket has no write deadline: a
 * client that never reads would hold the relay, and behind it the handler that streams the
 * answer and its API thread, for as long as it likes; enough of them and the API answers no
 * one. So every write to a client is given {@code api.write_timeout}; past it the socket is
 * closed, the blocked write fails, and the relay and the handler let go.
 */
final class StallGuard implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StallGuard.class.getName());

    private final Duration limit;
    private final Runnable onCut;
    private final ScheduledThreadPoolExecutor timer;

    /** @param onCut told of every client cut off (for the metric) */
    StallGuard(Duration limit, Runnable onCut) {
        this.limit = limit;
        this.onCut = onCut;
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("qx-node-api-stall").daemon(true).factory());
        // A write that finishes in time cancels its timer; cancelled ones must not pile up.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Writes to {@code client}; an IOException says why when it was cut off. */
    void write(Socket client, OutputStream out, byte[] bytes, int offset, int length) throws IOException {
        AtomicBoolean cut = new AtomicBoolean();
        ScheduledFuture<?> alarm = timer.schedule(() -> {
            cut.set(true);
            ClientAnswers.closeQuietly(client);
        }, limit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (cut.get()) {
                onCut.run();
                LOG.log(System.Logger.Level.INFO, "API client {0} took none of an answer for {1} ms"
                        + " (api.write_timeout): cut off", client.getInetAddress(), limit.toMillis());
                throw new IOException("the client took no bytes within api.write_timeout", e);
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
