package io.qtx.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.qtx.node.ApiAccess;
import io.qtx.node.NodeException;

/**
 * The API's listening socket. jdk.httpserver reads a request's headers on a handler thread
 * with no deadline, so a client that sends them slowly holds that thread for as long as it
 * likes. The front takes that job: it admits a connection only under the caps (in all, per
 * client address; 503 otherwise), reads the request head within {@code api.header_timeout}
 * (408) and a JSON body within {@code api.body_timeout} (408), and only then hands the whole
 * request to the JDK server on a loopback port, relaying the answer back to a client that must
 * take each part of it within {@code api.write_timeout} ({@link StallGuard}). Each connection is
 * one virtual thread (two while a body streams), so a waiting client costs no platform thread.
 * Every request gets its own connection ({@code Connection: close}) so none bypasses the front.
 */
final class ApiFront implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiFront.class.getName());
    /** Request line and headers together; browsers send a few KiB at most. */
    static final int MAX_HEAD = 32 * 1024;
    /**
     * Bodies up to this size are read whole by the front; larger ones stream. 256 connections
     * each holding one cost 16 MiB at most, where a buffer of api.max_body each could fill the heap.
     */
    static final int MAX_BUFFERED = 64 * 1024;
    /** Refusals being written at once; past this a refused connection is only closed. */
    private static final int MAX_REFUSING = 64;

    private final ServerSocket listener;
    private final InetSocketAddress backend;
    private final ApiAccess limits;
    private final int maxBuffered;
    /** Told the reason of every refusal: connections, connections_per_client, header_timeout, ... */
    private final Consumer<String> refused;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    /** Our own connections to the backend, so it can refuse anyone else who finds its port. */
    private final Set<SocketAddress> relays = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final StallGuard stallGuard;
    private final Thread acceptor;
    private volatile boolean closed;

    /** @param answerCut told of every client cut off for taking none of its answer in time */
    ApiFront(InetSocketAddress listen, InetSocketAddress backend, ApiAccess limits, int maxBuffered,
             Consumer<String> refused, Runnable answerCut) throws IOException {
        this.backend = backend;
        this.limits = limits;
        this.maxBuffered = Math.min(maxBuffered, MAX_BUFFERED);
        this.refused = refused;
        this.stallGuard = new StallGuard(limits.writeTimeout(), answerCut);
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(listen, 128);
        this.acceptor = Thread.ofPlatform().name("qx-node-api-accept").daemon(true).unstarted(this::acceptLoop);
    }

    void start() {
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Whether a backend connection from {@code remote} is one of the front's relays. */
    boolean isRelay(SocketAddress remote) {
        return relays.contains(remote);
    }

    int openConnections() {
        return open.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed: {0}", e.getMessage());
                }
                continue;
            }
            admit(s);
        }
    }

    private void admit(Socket s) {
        InetAddress client = s.getInetAddress();
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            refuse(s, "connections", "too many API connections open (api.max_connections = " + limits.maxConnections() + ")");
            return;
        }
        if (perClient.merge(client, 1, Integer::sum) > limits.maxConnectionsPerClient()) {
            release(client);
            refuse(s, "connections_per_client", "too many API connections open from " + client.getHostAddress()
                    + " (api.max_connections_per_client = " + limits.maxConnectionsPerClient() + ")");
            return;
        }
        sockets.add(s);
        Thread.ofVirtual().name("qx-node-api-conn").start(() -> {
            try {
                serve(s);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "API connection from {0}: {1}", client, e.getMessage());
            } finally {
                ClientAnswers.closeQuietly(s);
                sockets.remove(s);
                release(client);
            }
        });
    }

    private void release(InetAddress client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        open.decrementAndGet();
    }

    private void refuse(Socket s, String reason, String message) {
        refused.accept(reason);
        if (refusing.incrementAndGet() > MAX_REFUSING) {
            refusing.decrementAndGet();
            ClientAnswers.closeQuietly(s);
            return;
        }
        Thread.ofVirtual().name("qx-node-api-refuse").start(() -> {
            try {
                ClientAnswers.error(s, new NodeException(NodeException.Code.TOO_MANY_CONNECTIONS, message));
            } finally {
                refusing.decrementAndGet();
            }
        });
    }

    private void serve(Socket client) throws IOException {
        client.setTcpNoDelay(true);
        InputStream in = client.getInputStream();
        RequestHead head;
        try {
            head = RequestHead.read(client, in, System.nanoTime() + limits.headerTimeout().toNanos(), MAX_HEAD);
        } catch (SocketTimeoutException e) {
            refused.accept("header_timeout");
            ClientAnswers.error(client, new NodeException(NodeException.Code.REQUEST_TIMEOUT, "the request's headers did not arrive"
                    + " within api.header_timeout (" + limits.headerTimeout().toMillis() + " ms)"));
            return;
        } catch (RequestHead.TooLarge e) {
            refused.accept("headers_too_large");
            ClientAnswers.error(client, new NodeException(NodeException.Code.HEADERS_TOO_LARGE, "request headers over "
                    + MAX_HEAD + " bytes"));
            return;
        } catch (RequestHead.Malformed e) {
            refused.accept("malformed");
            ClientAnswers.error(client, new NodeException(NodeException.Code.BAD_INPUT, e.getMessage()));
            return;
        }
        if (head == null) {
            return;
        }
        // A small body is read whole before the backend sees the request, so a handler never
        // waits on a slow client for it; a larger one streams under the same deadline, and
        // uploads (PUT) and chunked bodies stream with no gap longer than the body timeout.
        boolean buffered = !head.chunked && head.contentLength > 0 && head.contentLength <= maxBuffered
                && !head.method.equals("PUT");
        byte[] body = head.rest;
        if (buffered) {
            if (head.expectContinue && head.rest.length == 0) {
                client.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            body = readBody(client, in, head);
            if (body == null) {
                return;
            }
        }
        try (Socket relay = new Socket()) {
            relay.connect(backend, 5000);
            relay.setTcpNoDelay(true);
            relays.add(relay.getLocalSocketAddress());
            sockets.add(relay);
            try {
                relay(client, in, relay, head, body, buffered);
            } finally {
                relays.remove(relay.getLocalSocketAddress());
                sockets.remove(relay);
            }
        }
    }

    /** The whole body of a buffered request, or null after answering 408 (or the client left). */
    private byte[] readBody(Socket client, InputStream in, RequestHead head) throws IOException {
        int length = (int) head.contentLength;
        // Grown as bytes arrive: a claimed length costs nothing until it is sent.
        byte[] body = java.util.Arrays.copyOf(head.rest, Math.min(length, Math.max(head.rest.length, 4096)));
        int have = Math.min(head.rest.length, length);
        long deadline = System.nanoTime() + limits.bodyTimeout().toNanos();
        try {
            while (have < length) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("body");
                }
                if (have == body.length) {
                    body = java.util.Arrays.copyOf(body, Math.min(length, body.length * 2));
                }
                client.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                int n = in.read(body, have, body.length - have);
                if (n < 0) {
                    return null;
                }
                have += n;
            }
            body = have == body.length ? body : java.util.Arrays.copyOf(body, have);
        } catch (SocketTimeoutException e) {
            bodyTimedOut(client);
            return null;
        }
        return body;
    }

    private void bodyTimedOut(Socket client) {
        refused.accept("body_timeout");
        ClientAnswers.error(client, new NodeException(NodeException.Code.REQUEST_TIMEOUT, "the request body did not arrive within"
                + " api.body_timeout (" + limits.bodyTimeout().toMillis() + " ms)"));
    }

    private void relay(Socket client, InputStream in, Socket relay, RequestHead head, byte[] body, boolean buffered)
            throws IOException {
        OutputStream toBackend = relay.getOutputStream();
        toBackend.write(head.forBackend(buffered));
        ChunkedBody chunked = head.chunked && !buffered ? new ChunkedBody() : null;
        toBackend.write(body, 0, chunked == null ? body.length : chunked.feed(body, 0, body.length));
        toBackend.flush();
        AtomicBoolean answered = new AtomicBoolean();
        Thread answer = Thread.ofVirtual().name("qx-node-api-answer").start(() -> {
            try {
                ClientAnswers.relay(relay, client, answered, stallGuard);
            } finally {
                ClientAnswers.closeQuietly(client);
                ClientAnswers.closeQuietly(relay);
            }
        });
        long streamed = chunked != null ? (chunked.done() ? 0 : -1)
                : buffered ? 0 : Math.max(0, head.contentLength - body.length);
        if (streamed != 0) {
            try {
                boolean upload = head.method.equals("PUT") || chunked != null;
                long deadline = upload ? 0 : System.nanoTime() + limits.bodyTimeout().toNanos();
                if (!streamBody(in, client, toBackend, streamed, chunked, deadline)) {
                    // The client left mid-body: the handler must not wait for the rest forever.
                    ClientAnswers.closeQuietly(relay);
                }
            } catch (SocketTimeoutException e) {
                if (answered.compareAndSet(false, true)) {
                    bodyTimedOut(client);
                }
                ClientAnswers.closeQuietly(relay);
            } catch (IOException e) {
                ClientAnswers.closeQuietly(relay);
            }
        }
        try {
            answer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Copies the body on, {@code length} bytes or, with {@code chunked}, to its last chunk; with
     * a {@code deadline} (nanoTime, 0 for none) all of it by then, else no gap longer than the
     * body timeout. False when the client closed before the body was through.
     */
    private boolean streamBody(InputStream in, Socket client, OutputStream out, long length, ChunkedBody chunked,
                               long deadline) throws IOException {
        client.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.bodyTimeout().toMillis()));
        byte[] chunk = new byte[16 * 1024];
        long left = length;
        while (chunked == null ? left > 0 : !chunked.done()) {
            if (deadline != 0) {
                long ms = (deadline - System.nanoTime()) / 1_000_000;
                if (ms <= 0) {
                    throw new SocketTimeoutException("body");
                }
                client.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ms));
            }
            int n = in.read(chunk, 0, chunked != null ? chunk.length : (int) Math.min(chunk.length, left));
            if (n < 0) {
                return false;
            }
            int body = chunked != null ? chunked.feed(chunk, 0, n) : n;
            out.write(chunk, 0, body);
            left -= body;
        }
        out.flush();
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            ClientAnswers.closeQuietly(s);
        }
        stallGuard.close();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
