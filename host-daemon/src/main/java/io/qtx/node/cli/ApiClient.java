package io.qtx.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

/** qxctl's side of the API: requests, the JSON they return, and errors as {@link CliException}. */
final class ApiClient implements AutoCloseable {

    private final HttpClient http;
    private final String base;
    private final String token;
    private final Duration timeout;

    ApiClient(String base, String token, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** The JSON text of a GET; an error answer throws. */
    String get(String path) throws CliException {
        return text(request(path).timeout(timeout.plusSeconds(5)).GET().build());
    }

    String post(String path, String json) throws CliException {
        return text(request(path).timeout(timeout.plusSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)).build());
    }

    /** A streamed GET (downloads, events); the caller closes the stream. */
    InputStream stream(String path, boolean withTimeout) throws CliException {
        HttpRequest.Builder b = request(path).GET();
        if (withTimeout) {
            b.timeout(timeout.plusSeconds(5));
        }
        HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream in = r.body()) {
                throw CliException.fromApi(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CliException(Exit.UNREACHABLE, "reading the error from " + base + ": " + e.getMessage());
            }
        }
        return r.body();
    }

    /** A streamed PUT of {@code body}. */
    String put(String path, Supplier<InputStream> body) throws CliException {
        return text(request(path).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(body)).build());
    }

    private String text(HttpRequest request) throws CliException {
        HttpResponse<String> r = send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw CliException.fromApi(r.statusCode(), r.body());
        }
        return r.body();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws CliException {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new CliException(Exit.UNREACHABLE, "cannot reach qx-node at " + base + " (is it running? --url)");
        } catch (IOException e) {
            throw new CliException(Exit.UNREACHABLE, "talking to qx-node at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(Exit.UNREACHABLE, "interrupted");
        }
    }

    /** Parses JSON into a protobuf Struct, which serves as a generic JSON tree. */
    static Struct parse(String json) throws CliException {
        Struct.Builder b = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new CliException(Exit.INTERNAL, "qx-node answered something that is not JSON: " + e.getMessage());
        }
        return b.build();
    }

    /** The value at a dotted path, or null. */
    static Value at(Struct s, String path) {
        Value v = null;
        Struct current = s;
        for (String part : path.split("\\.")) {
            if (current == null || !current.containsFields(part)) {
                return null;
            }
            v = current.getFieldsOrThrow(part);
            current = v.hasStructValue() ? v.getStructValue() : null;
        }
        return v;
    }

    static String str(Struct s, String path) {
        Value v = at(s, path);
        if (v == null || v.hasNullValue()) {
            return "";
        }
        return v.hasStringValue() ? v.getStringValue() : v.hasNumberValue() ? num(v.getNumberValue())
                : v.hasBoolValue() ? Boolean.toString(v.getBoolValue()) : v.toString();
    }

    /**
     * {@link #str} for a terminal: what an agent sent (host names, versions, messages that quote
     * them) reaches qxctl through qx-node, so control characters are escaped and length is bounded.
     */
    static String text(Struct s, String path) {
        return io.qtx.node.GuestText.safe(str(s, path), 512);
    }

    static double number(Struct s, String path) {
        Value v = at(s, path);
        if (v == null) {
            return 0;
        }
        if (v.hasStringValue()) {
            // JsonFormat writes 64-bit integers as strings.
            try {
                return Double.parseDouble(v.getStringValue());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return v.getNumberValue();
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    @Override
    public void close() {
        http.close();
    }
}
