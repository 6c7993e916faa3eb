package io.qtx.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/** qxctl's side of the API: requests, the JSON text they return, and errors as {@link CliException}. */
final class ApiClient implements AutoCloseable {

    private final String base;
    private final String token;
    private final Duration timeout;

    ApiClient(String base, String token, Duration timeout) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.timeout = timeout;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    String base() {
        return base;
    }

    /** The JSON text of a GET; an error answer throws. */
    String get(String path) throws CliException {
        return text(send("GET", path, null, null, null, true));
    }

    String post(String path, String json) throws CliException {
        byte[] body = (json == null ? "" : json).getBytes(StandardCharsets.UTF_8);
        return text(send("POST", path, "application/json", body, null, true));
    }

    /** A streamed GET (downloads, events); the caller closes the stream, which closes the connection. */
    InputStream stream(String path, boolean withTimeout) throws CliException {
        PlainHttp.Response r = send("GET", path, null, null, null, withTimeout);
        if (r.status() != 200) {
            text(r); // throws the API's error
        }
        return new java.io.FilterInputStream(r.body()) {
            @Override
            public void close() throws IOException {
                r.close();
            }
        };
    }

    /** A streamed PUT of {@code body}. */
    String put(String path, Supplier<InputStream> body) throws CliException {
        InputStream in;
        try {
            in = body.get();
        } catch (UncheckedIOException e) {
            throw new CliException(Exit.LOCAL_IO, e.getCause().getMessage());
        }
        try (InputStream upload = in) {
            return text(send("PUT", path, "application/octet-stream", null, upload, true));
        } catch (IOException e) {
            throw new CliException(Exit.LOCAL_IO, "closing the upload: " + e.getMessage());
        }
    }

    /** The whole body as text; an answer other than 200 throws with the API's error. */
    private String text(PlainHttp.Response r) throws CliException {
        String body;
        try (r) {
            body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(Exit.UNREACHABLE, "reading the answer from " + base + ": " + e.getMessage());
        }
        if (r.status() != 200) {
            throw CliException.fromApi(r.status(), body);
        }
        return body;
    }

    private PlainHttp.Response send(String method, String path, String contentType, byte[] body, InputStream stream,
                                    boolean withTimeout) throws CliException {
        PlainHttp.Target target = PlainHttp.Target.of(base);
        int timeoutMs = withTimeout ? (int) Math.min(Integer.MAX_VALUE, timeout.plusSeconds(5).toMillis()) : 0;
        try {
            return PlainHttp.exchange(target, method, path, token, contentType, body, stream, timeoutMs);
        } catch (ConnectException e) {
            throw new CliException(Exit.UNREACHABLE, "cannot reach qx-node at " + base + " (is it running? --url)");
        } catch (IOException e) {
            throw new CliException(Exit.UNREACHABLE, "talking to qx-node at " + base + ": " + e);
        } catch (UncheckedIOException e) {
            throw new CliException(Exit.LOCAL_IO, "reading the upload: " + e.getCause().getMessage());
        }
    }

    @Override
    public void close() {
        // one connection per request, each closed with its answer
    }
}
