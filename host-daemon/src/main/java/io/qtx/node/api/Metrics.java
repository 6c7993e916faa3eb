package io.qtx.node.api;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.Node;
import io.qtx.node.VmSnapshot;
import io.qtx.node.VmState;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper's
 * {@code Accept} names it. Names follow Prometheus's conventions ({@code qtx_} prefix, base
 * units, {@code _total} counters); per-VM families are in {@link VmMetrics}, the daemon's own
 * here. README "Metrics" lists them.
 */
final class Metrics {

    private final ApiServer api;
    private final Node node;

    Metrics(ApiServer api, Node node) {
        this.api = api;
        this.node = node;
    }

    /** Streams the exposition (chunked): its size grows with the VMs, the memory it takes does not. */
    void serve(HttpExchange ex) throws IOException {
        List<VmSnapshot> vms = ApiServer.await(node.vms(), Duration.ofSeconds(5));
        boolean openMetrics = PromText.wantsOpenMetrics(ex.getRequestHeaders().getFirst("Accept"));
        HttpIo.streamed(ex, 200, openMetrics ? PromText.OPENMETRICS_TYPE : PromText.TEXT_TYPE, out -> {
            PromText p = new PromText(openMetrics, out);
            write(p, vms);
            p.finish();
        });
    }

    private void write(PromText p, List<VmSnapshot> vms) {
        p.info("qtx_build", "qx-node's version and the Java runtime it runs on");
        p.sample("qtx_build_info", 1, "version", Node.VERSION, "java_version", Runtime.version().toString());
        Map<VmState, Integer> byState = new EnumMap<>(VmState.class);
        for (VmSnapshot s : vms) {
            byState.merge(s.state(), 1, Integer::sum);
        }
        p.gauge("qtx_node_vms", "VMs by connection state");
        for (VmState state : VmState.values()) {
            p.sample("qtx_node_vms", byState.getOrDefault(state, 0), "state", state.json());
        }
        VmMetrics.write(p, vms, System.currentTimeMillis());
        daemon(p);
        http(p);
    }

    private void daemon(PromText p) {
        p.counter("qtx_node_loop_iterations", "times the event loop woke from epoll_wait");
        p.sample("qtx_node_loop_iterations_total", node.loopWakeups());
        p.counter("qtx_node_loop_busy_seconds", "CPU time of the event loop thread (its busy time)");
        p.sample("qtx_node_loop_busy_seconds_total", Math.max(0, node.loopCpuNanos()) / 1e9);
        p.gauge("qtx_node_open_fds", "file descriptors open in the process");
        p.sample("qtx_node_open_fds", openFds());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        p.gauge("qtx_node_heap_used_bytes", "Java heap in use");
        p.sample("qtx_node_heap_used_bytes", heap.getUsed());
        p.gauge("qtx_node_heap_committed_bytes", "Java heap committed");
        p.sample("qtx_node_heap_committed_bytes", heap.getCommitted());
        p.gauge("qtx_node_nonheap_used_bytes", "JVM memory outside the heap in use: metaspace, code cache");
        p.sample("qtx_node_nonheap_used_bytes", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed());
        p.gauge("qtx_node_offheap_buffer_bytes", "off-heap buffers (direct and mapped) in use");
        p.sample("qtx_node_offheap_buffer_bytes", ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .mapToLong(BufferPoolMXBean::getMemoryUsed).filter(b -> b > 0).sum());
        p.gauge("qtx_node_resident_bytes", "resident set size of the process: heap, native and FFM memory");
        p.sample("qtx_node_resident_bytes", residentBytes());
        p.gauge("qtx_node_uptime_seconds", "time since qx-node started");
        p.sample("qtx_node_uptime_seconds", node.uptimeMs() / 1000.0);
    }

    private void http(PromText p) {
        p.counter("qtx_node_http_requests", "API requests");
        p.sample("qtx_node_http_requests_total", api.requests.get());
        p.counter("qtx_node_http_errors", "API requests answered with an error");
        p.sample("qtx_node_http_errors_total", api.errors.get());
        p.counter("qtx_node_http_answers_cut", "answers cut off because the client took none of them within"
                + " api.write_timeout");
        p.sample("qtx_node_http_answers_cut_total", api.answersCut.get());
        p.counter("qtx_node_http_refused", "requests and connections turned away before a handler, by reason");
        for (var r : api.refused.entrySet()) {
            p.sample("qtx_node_http_refused_total", r.getValue().get(), "reason", r.getKey());
        }
        p.gauge("qtx_node_http_connections_open", "API connections open (this scrape's included)");
        p.sample("qtx_node_http_connections_open", api.openConnections());
        p.gauge("qtx_node_http_event_streams_open", "server-sent event streams open");
        p.sample("qtx_node_http_event_streams_open", api.openStreams.get());
    }

    private static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** VmRSS from /proc/self/status, in bytes; -1 when unreadable. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }
}
