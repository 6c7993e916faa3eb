package io.qtx.node.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.qtx.node.Node;
import io.qtx.node.NodeConfig;
import io.qtx.node.NodeException;
import io.qtx.node.VmSnapshot;

/**
 * qx-node's HTTP API: the JDK's own server on a loopback port behind {@link ApiFront}, which
 * owns the public socket, the connection caps and the header and body deadlines. Handlers run
 * on virtual threads and never touch the loop's descriptors: every call goes through
 * {@link Node}, which hands the work to the loop, and the handler waits on the future with a
 * deadline a little past the request's own.
 */
public final class ApiServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    static final String PREFIX = "/api/v1";
    /** Server-sent event streams held open at once; past this many, new ones get a 503. */
    static final int MAX_EVENT_STREAMS = 16;

    private final Node node;
    private final NodeConfig config;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final ApiFront front;
    private final ApiGuard guard;
    /** api.threads: requests waiting on agents at once; event streams and uploads take none. */
    private final Semaphore slots;
    private final VmRoutes vmRoutes;
    private final EventStream events;
    private final Metrics metrics;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    /** Answers cut off because the client took none of them within api.write_timeout. */
    final AtomicLong answersCut = new AtomicLong();
    final AtomicInteger openStreams = new AtomicInteger();
    /** Requests and connections turned away, by reason (the metric's label). */
    final Map<String, AtomicLong> refused = new ConcurrentSkipListMap<>();

    private ApiServer(Node node, NodeConfig config) throws IOException {
        this.node = node;
        this.config = config;
        InetSocketAddress listen = new InetSocketAddress(config.httpBind(), config.httpPort());
        this.guard = new ApiGuard(config.access(), listen.getAddress());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("qx-node-http-", 1).factory());
        this.slots = new Semaphore(config.httpThreads());
        this.vmRoutes = new VmRoutes(this, node, config);
        this.events = new EventStream(this, node);
        this.metrics = new Metrics(this, node);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        try {
            this.front = new ApiFront(listen, server.getAddress(), config.access(), config.maxBodyBytes(), this::refuse,
                    answersCut::incrementAndGet);
        } catch (IOException e) {
            server.stop(0);
            handlers.shutdownNow();
            throw e;
        }
    }

    /** Binds and starts serving. */
    public static ApiServer start(Node node, NodeConfig config) throws IOException {
        ApiServer api = new ApiServer(node, config);
        api.server.start();
        api.front.start();
        LOG.log(System.Logger.Level.INFO, "API on {0}", api.baseUrl());
        return api;
    }

    /** {@code http://127.0.0.1:8710}, with the port actually bound. */
    public String baseUrl() {
        InetSocketAddress a = front.address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public int port() {
        return front.address().getPort();
    }

    void refuse(String reason) {
        refused.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    int openConnections() {
        return front.openConnections();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!front.isRelay(ex.getRemoteAddress())) {
                // Someone found the backend's loopback port: only the front may talk to it.
                refuse("not_through_front");
                HttpIo.error(ex, new NodeException(NodeException.Code.FORBIDDEN, "connect to the API's own address"));
                return;
            }
            requests.incrementAndGet();
            try {
                admit(ex);
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

    /** Host and Origin for every request, then the credential the path needs. */
    private void admit(HttpExchange ex) {
        try {
            guard.checkHost(ex);
            guard.checkOrigin(ex);
        } catch (NodeException e) {
            refuse(e.getMessage().startsWith("Host") || e.getMessage().startsWith("a Host") ? "host" : "origin");
            throw e;
        }
        String path = ex.getRequestURI().getPath();
        boolean open = path.equals("/login") || path.equals("/")
                || (path.equals("/metrics") && config.access().metricsPublic())
                || pageRead(ex, path);
        if (!open) {
            try {
                guard.requireBearer(ex);
            } catch (NodeException e) {
                refuse("unauthorized");
                throw e;
            }
        }
        if (ex.getRequestMethod().equals("POST") && path.startsWith(PREFIX + "/")) {
            try {
                ApiGuard.requireJson(ex);
            } catch (NodeException e) {
                refuse("content_type");
                throw e;
            }
        }
    }

    /**
     * What the status page reads with its cookie: its own data and the event stream, both
     * read-only. The cookie opens nothing that changes anything, and no other API.
     */
    private boolean pageRead(HttpExchange ex, String path) {
        return ex.getRequestMethod().equals("GET") && (path.equals("/status.json") || path.equals(PREFIX + "/events"))
                && guard.hasPageCookie(ex);
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/") && method.equals("GET")) {
            ex.getResponseHeaders().set("X-Frame-Options", "DENY");
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
            if (guard.hasBearer(ex) || guard.hasPageCookie(ex)) {
                StatusPage.serve(ex);
            } else {
                refuse("unauthorized");
                BrowserLogin.form(ex, "The status page needs qx-node's API token.");
            }
        } else if (path.equals("/login") && method.equals("POST")) {
            BrowserLogin.login(ex, guard);
        } else if (path.equals(PREFIX + "/events") && method.equals("GET")) {
            events.serve(ex);
        } else if (path.startsWith(PREFIX + "/vms/") && method.equals("PUT")) {
            vmRoutes.serve(ex, method, path.substring((PREFIX + "/vms/").length()));
        } else {
            withSlot(() -> {
                if (path.equals("/metrics") && method.equals("GET")) {
                    metrics.serve(ex);
                } else if (path.equals("/status.json") && method.equals("GET")) {
                    List<VmSnapshot> vms = await(node.vms(), Duration.ofSeconds(5));
                    HttpIo.jsonStreamed(ex, 200, j -> StatusData.write(j, node, vms));
                } else if (path.equals(PREFIX + "/vms") && method.equals("GET")) {
                    List<VmSnapshot> vms = await(node.vms(), Duration.ofSeconds(5));
                    HttpIo.jsonStreamed(ex, 200, j -> VmJson.list(j, vms));
                } else if (path.startsWith(PREFIX + "/vms/")) {
                    vmRoutes.serve(ex, method, path.substring((PREFIX + "/vms/").length()));
                } else {
                    throw new NodeException(NodeException.Code.NOT_FOUND, "no such endpoint: " + method + " " + path);
                }
            });
        }
    }

    private interface Call {
        void run() throws IOException;
    }

    private void withSlot(Call call) throws IOException {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(NodeException.Code.INTERNAL, "interrupted");
        }
        try {
            call.run();
        } finally {
            slots.release();
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
        front.close();
        server.stop(0);
        events.closeAll();
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
