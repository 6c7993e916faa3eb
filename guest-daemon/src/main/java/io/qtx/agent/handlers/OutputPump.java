package io.qtx.agent.handlers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one output stream of a child to its end on a thread of its own, keeping the first
 * {@code cap} bytes and discarding (but still reading) the rest, so a chatty child never
 * blocks on a full pipe and never fills the agent's memory.
 */
final class OutputPump {

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile boolean truncated;

    OutputPump(InputStream in, int cap, String name) {
        thread = Thread.ofVirtual().name(name).start(() -> pump(in, cap));
    }

    private void pump(InputStream in, int cap) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int room = cap - kept.size();
                if (n > room) {
                    truncated = true;
                }
                if (room > 0) {
                    kept.write(buf, 0, Math.min(room, n));
                }
            }
        } catch (IOException e) {
            // The pipe closed under us (the child was killed): what was read stands.
        }
    }

    /** Waits until the stream ended (every writer of the pipe exited or was killed). */
    void join(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
    }

    byte[] bytes() {
        return kept.toByteArray();
    }

    boolean truncated() {
        return truncated;
    }
}
