package io.qtx.node.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.NodeException;

/** Reading requests and writing JSON answers and errors on the JDK's HTTP server. */
final class HttpIo {

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private HttpIo() {
    }

    static void json(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Writes an answer's body to the stream it is given; a failed write may surface unchecked. */
    interface StreamedBody {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * An answer written as it is made (chunked), for answers that grow with the VMs: the memory
     * it takes is a buffer, whatever its size. The writers' {@link java.io.UncheckedIOException}
     * ({@link StreamedText}) comes out as the IOException it carries.
     */
    static void streamed(HttpExchange ex, int status, String contentType, StreamedBody body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, 0);
        try (OutputStream out = ex.getResponseBody()) {
            body.writeTo(out);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A JSON answer written as it is made, as {@link #streamed} says. */
    static void jsonStreamed(HttpExchange ex, int status, java.util.function.Consumer<JsonOut> body)
            throws IOException {
        streamed(ex, status, "application/json; charset=utf-8", out -> {
            JsonOut j = new JsonOut(out);
            body.accept(j);
            j.finish();
        });
    }

    /**
     * The error shape every failure has: {"error":{"code":..,"status":..,"message":..}}, with
     * "delete_report" added when a recursive delete stopped part-way.
     */
    static String errorJson(NodeException e) {
        JsonOut out = new JsonOut().beginObject().name("error").beginObject().field("code", e.code().name())
                .field("status", e.code().httpStatus()).field("message", e.getMessage());
        if (e.deleteReport() != null) {
            out.field("delete_report", e.deleteReport());
        }
        return out.endObject().endObject().toString();
    }

    static void error(HttpExchange ex, NodeException e) throws IOException {
        json(ex, e.code().httpStatus(), errorJson(e));
    }

    static NodeException bad(String message) {
        return new NodeException(NodeException.Code.BAD_INPUT, message);
    }

    /** The body, at most {@code max} bytes; more is a 413. */
    static byte[] body(HttpExchange ex, int max) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (buffer.size() + n > max) {
                    throw new NodeException(NodeException.Code.BODY_TOO_LARGE,
                            "request body over the limit of " + max + " bytes");
                }
                buffer.write(chunk, 0, n);
            }
            return buffer.toByteArray();
        }
    }

    /** Parses a JSON body into {@code builder}; an empty body leaves it as it is. */
    static <B extends Message.Builder> B parse(HttpExchange ex, int max, B builder) throws IOException {
        byte[] body = body(ex, max);
        if (body.length == 0) {
            return builder;
        }
        try {
            PARSER.merge(new String(body, StandardCharsets.UTF_8), builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw bad("body is not a valid " + builder.getDescriptorForType().getName() + " in JSON: "
                    + e.getMessage());
        }
        return builder;
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> params = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(k, v);
        }
        return params;
    }

    static String required(Map<String, String> query, String name) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            throw bad("query parameter '" + name + "' is required");
        }
        return v;
    }

    static long number(Map<String, String> query, String name, long fallback, long min, long max) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            long n = v.startsWith("0") && v.length() > 1 && name.equals("mode") ? Long.parseLong(v, 8) : Long.parseLong(v);
            if (n < min || n > max) {
                throw bad("query parameter '" + name + "'=" + v + " is outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad("query parameter '" + name + "'=" + v + " is not a number");
        }
    }
}
