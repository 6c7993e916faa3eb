package io.qtx.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /}: the status page, one self-contained HTML file (status.html beside this class)
 * that draws itself from {@code status.json} and the event stream. Its one inline script runs
 * under a nonce fresh per response; the policy allows nothing else: no other script, no
 * fetch but to this origin, no frame.
 */
final class StatusPage {

    private static final String HTML = load();
    private static final SecureRandom RANDOM = new SecureRandom();

    private StatusPage() {
    }

    static void serve(HttpExchange ex) throws IOException {
        byte[] n = new byte[18];
        RANDOM.nextBytes(n);
        String nonce = Base64.getEncoder().encodeToString(n);
        byte[] body = HTML.replace("{{nonce}}", nonce).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce
                + "'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
                + " base-uri 'none'");
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static String load() {
        try (InputStream in = StatusPage.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from qx-node's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
