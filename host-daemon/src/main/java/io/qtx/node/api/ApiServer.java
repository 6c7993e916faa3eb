package io.qtx.node.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.qtx.node.Node;
import io.qtx.node.NodeConfig;
import io.qtx.node.NodeException;

/**
 * qx-node's HTTP API on the JDK's own server. Handler threads never touch the loop's
 * descriptors: every call goes through {@link Node}, which hands the work to the loop, and
 * the handler waits on the future with a deadline a little past the request's own.
 */
public final class ApiServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    static final String PREFIX = "/api/v1";
    /** Server-sent event streams hold a thread each; past this many, new ones get a 503. */
    static final int MAX_EVENT_STREAMS = 16;

    private final Node node;
    private final NodeConfig config;
    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final VmRoutes vmRoutes;
    private final EventStream events;
    private final Metrics metrics;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicInteger openStreams = new AtomicInteger();

    private ApiServer(Node node, NodeConfig config) throws IOException {
        this.node = node;
        this.config = config;
        this.server = HttpServer.create(new InetSocketAddress(config.httpBind(), config.httpPort()), 64);
        int threads = config.httpThreads() + MAX_EVENT_STREAMS;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                r -> Thread.ofPlatform().name("qx-node-http-" + n.incrementAndGet()).daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        this.vmRoutes = new VmRoutes(this, node, config);
        this.events = new EventStream(this, node);
        this.metrics = new Metrics(this, node);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    /** Binds and starts serving. */
    public static ApiServer start(Node node, NodeConfig config) throws IOException {
        ApiServer api = new ApiServer(node, config);
        api.server.start();
        LOG.log(System.Logger.Level.INFO, "API on {0}", api.baseUrl());
        return api;
    }

    /** {@code http://127.0.0.1:8710}, with the port actually bound. */
    public String baseUrl() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            try {
                authorize(ex);
                route(ex);
            } catch (NodeException e) {
                errors.incrementAndGet();
                HttpIo.error(ex, e);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "client went away: {0}", e.getMessage());
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "handler failed for " + ex.getRequestURI(), e);
                HttpIo.error(ex, NodeException.of(e));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client went away: {0}", e.getMessage());
        }
    }

    private void authorize(HttpExchange ex) {
        String token = config.token();
        if (token == null || token.isEmpty()) {
            return;
        }
        String given = ex.getRequestHeaders().getFirst("Authorization");
        if (given == null || !java.security.MessageDigest.isEqual(given.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                ("Bearer " + token).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new NodeException(NodeException.Code.UNAUTHORIZED, "a bearer token is required (Authorization: Bearer ...)");
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/") && method.equals("GET")) {
            StatusPage.serve(ex, await(node.vms(), Duration.ofSeconds(5)), baseUrl());
        } else if (path.equals("/metrics") && method.equals("GET")) {
            metrics.serve(ex);
        } else if (path.equals(PREFIX + "/events") && method.equals("GET")) {
            events.serve(ex);
        } else if (path.equals(PREFIX + "/vms") && method.equals("GET")) {
            HttpIo.json(ex, 200, VmJson.list(await(node.vms(), Duration.ofSeconds(5))));
        } else if (path.startsWith(PREFIX + "/vms/")) {
            vmRoutes.serve(ex, method, path.substring((PREFIX + "/vms/").length()));
        } else {
            throw new NodeException(NodeException.Code.NOT_FOUND, "no such endpoint: " + method + " " + path);
        }
    }

    /**
     * Waits for a loop future. The loop's own timer ends an agent request at its deadline;
     * the extra second only guards against a loop that has stopped answering at all.
     */
    static <T> T await(CompletableFuture<T> future, Duration deadline) {
        try {
            return future.get(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new NodeException(NodeException.Code.AGENT_TIMEOUT, "no answer within " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(NodeException.Code.INTERNAL, "interrupted");
        } catch (ExecutionException e) {
            throw NodeException.of(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        events.closeAll();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
