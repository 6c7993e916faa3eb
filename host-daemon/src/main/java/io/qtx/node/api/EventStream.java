package io.qtx.node.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.Node;
import io.qtx.node.NodeEvent;
import io.qtx.node.NodeException;

/**
 * {@code GET /api/v1/events}: state changes and telemetry as server-sent events, optionally
 * for one VM ({@code ?vm=ID}) or one kind ({@code ?kind=state}). Each client has its own
 * bounded queue, filled on the loop thread without blocking; a client too slow to keep up
 * loses events (counted, and announced with a {@code dropped} event) rather than slowing the
 * loop.
 */
final class EventStream {

    private static final int QUEUE = 1024;
    /** A comment line this often keeps proxies from timing out and is how a client that left is noticed. */
    private static final long KEEPALIVE_SECONDS = 2;
    private static final NodeEvent CLOSE = new NodeEvent(NodeEvent.Kind.STATE, "", null, null, 0, null);

    private final ApiServer api;
    private final Node node;
    private final Set<BlockingQueue<NodeEvent>> open = ConcurrentHashMap.newKeySet();
    final AtomicLong dropped = new AtomicLong();

    EventStream(ApiServer api, Node node) {
        this.api = api;
        this.node = node;
    }

    void serve(HttpExchange ex) throws IOException {
        if (api.openStreams.incrementAndGet() > ApiServer.MAX_EVENT_STREAMS) {
            api.openStreams.decrementAndGet();
            throw new NodeException(NodeException.Code.AGENT_BUSY, "too many event streams open (at most "
                    + ApiServer.MAX_EVENT_STREAMS + ")");
        }
        var q = HttpIo.query(ex);
        String vm = q.get("vm");
        String kind = q.get("kind");
        BlockingQueue<NodeEvent> queue = new ArrayBlockingQueue<>(QUEUE);
        AtomicLong lost = new AtomicLong();
        open.add(queue);
        try (AutoCloseable sub = node.events().subscribe(e -> {
            if ((vm == null || vm.equals(e.vm())) && (kind == null || kind.equalsIgnoreCase(e.kind().name()))
                    && !queue.offer(e)) {
                lost.incrementAndGet();
                dropped.incrementAndGet();
            }
        })) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            write(out, ": qx-node events\n\n");
            long reported = 0;
            while (true) {
                NodeEvent e = queue.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (e == CLOSE) {
                    break;
                }
                long l = lost.get();
                if (l != reported) {
                    write(out, "event: dropped\ndata: {\"dropped\":" + l + "}\n\n");
                    reported = l;
                }
                write(out, e == null ? ": keepalive\n\n"
                        : "event: " + e.kind().name().toLowerCase(java.util.Locale.ROOT) + "\ndata: " + VmJson.event(e) + "\n\n");
            }
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client left
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            open.remove(queue);
            api.openStreams.decrementAndGet();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ends every stream, on shutdown. */
    void closeAll() {
        for (BlockingQueue<NodeEvent> q : open) {
            q.clear();
            q.offer(CLOSE);
        }
    }
}
