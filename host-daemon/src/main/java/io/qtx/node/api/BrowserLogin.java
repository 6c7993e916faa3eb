package io.qtx.node.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.NodeException;

/**
 * How a browser gets onto the status page: a browser cannot add a bearer header to a page
 * load, so {@code GET /} without one answers 401 with a form; the operator pastes the token
 * (the one line of api.token_file), {@code POST /login} checks it and sets an HttpOnly,
 * SameSite=Strict cookie that opens {@code GET /} and what the page reads ({@code GET /status.json}
 * and the event stream), nothing else. The token never travels in
 * a URL, so it stays out of browser history and logs.
 */
final class BrowserLogin {

    private static final int MAX_FORM = 4096;

    private BrowserLogin() {
    }

    static void form(HttpExchange ex, String why) throws IOException {
        String page = "<!doctype html><meta charset=utf-8><title>qx-node: sign in</title>"
                + "<style>body{font:14px sans-serif;margin:2em}</style><h1>qx-node</h1><p>" + why
                + "</p><form method=post action=/login><label>API token <input type=password name=token "
                + "autocomplete=off autofocus></label> <button>Open the status page</button></form>"
                + "<p>The token is the one line of qx-node's <code>api.token_file</code> "
                + "(by default <code>/var/lib/quantix-kvm/qx-node.token</code>, readable by root).</p>";
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        send(ex, 401, page);
    }

    /** {@code POST /login} with {@code token=...} as a form. */
    static void login(HttpExchange ex, ApiGuard guard) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)
                .equals("application/x-www-form-urlencoded")) {
            throw new NodeException(NodeException.Code.UNSUPPORTED_MEDIA_TYPE,
                    "/login takes a form (application/x-www-form-urlencoded)");
        }
        String form = new String(HttpIo.body(ex, MAX_FORM), StandardCharsets.US_ASCII);
        String token = "";
        for (String pair : form.split("&")) {
            if (pair.startsWith("token=")) {
                token = URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8);
            }
        }
        if (!guard.isToken(token)) {
            form(ex, "That is not qx-node's API token.");
            return;
        }
        ex.getResponseHeaders().add("Set-Cookie", ApiGuard.PAGE_COOKIE + "=" + guard.pageCookie()
                + "; Path=/; HttpOnly; SameSite=Strict");
        ex.getResponseHeaders().set("Location", "/");
        ex.sendResponseHeaders(303, -1);
    }

    private static void send(HttpExchange ex, int status, String html) throws IOException {
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
