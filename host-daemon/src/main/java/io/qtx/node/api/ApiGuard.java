package io.qtx.node.api;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;

import io.qtx.node.ApiAccess;
import io.qtx.node.NodeException;

/**
 * Who gets in: the bearer token (scheme in any case), the Host a request names (so a DNS
 * rebinding page cannot talk to us under its own name), the Origin of a mutating request (so
 * a cross-site page cannot post to us) and the JSON media type of JSON bodies (so a form or a
 * "simple" cross-site request cannot be one).
 */
final class ApiGuard {

    /** The status page's cookie: proof of the token that opens the status page and nothing else. */
    static final String PAGE_COOKIE = "qx_node_page";

    private final byte[] token;
    private final Set<String> hosts;
    private final String pageCookie;

    ApiGuard(ApiAccess access, InetAddress bound) {
        if (access.token() == null || access.token().isEmpty()) {
            throw new IllegalArgumentException("the API needs a bearer token (api.token_file)");
        }
        this.token = access.token().getBytes(StandardCharsets.UTF_8);
        this.hosts = servedHosts(access, bound);
        this.pageCookie = pageCookie(access.token());
    }

    /** The listen address and the configured names; on a wildcard address, every address of this host. */
    private static Set<String> servedHosts(ApiAccess access, InetAddress bound) {
        Set<String> h = new HashSet<>();
        access.allowedHosts().forEach(n -> h.add(canonical(n.toLowerCase(Locale.ROOT))));
        if (bound.isAnyLocalAddress()) {
            try {
                for (NetworkInterface i : NetworkInterface.networkInterfaces().toList()) {
                    i.inetAddresses().forEach(a -> h.add(literal(a)));
                }
            } catch (SocketException e) {
                // no interface list: only the configured names
            }
        } else {
            h.add(literal(bound));
        }
        return Set.copyOf(h);
    }

    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int scope = s.indexOf('%');
        return (scope >= 0 ? s.substring(0, scope) : s).toLowerCase(Locale.ROOT);
    }

    /**
     * The host part of a Host header, canonical: "[::1]:8710" is "0:0:0:0:0:0:0:1" (as the
     * listen address is written), "Localhost.:80" is "localhost".
     */
    static String hostName(String header) {
        String h = header.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return canonical(close < 0 ? h : h.substring(1, close));
        }
        int colon = h.indexOf(':');
        String name = colon >= 0 ? h.substring(0, colon) : h;
        return canonical(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
    }

    /** An address literal in one spelling; a name as it is. Never a DNS lookup. */
    private static String canonical(String name) {
        if (name.isEmpty() || !(Character.isDigit(name.charAt(0)) || name.indexOf(':') >= 0)) {
            return name;
        }
        try {
            return literal(InetAddress.ofLiteral(name));
        } catch (IllegalArgumentException e) {
            return name;
        }
    }

    void checkHost(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || host.isBlank()) {
            throw new NodeException(NodeException.Code.FORBIDDEN, "a Host header is required");
        }
        if (!hosts.contains(hostName(host))) {
            throw new NodeException(NodeException.Code.FORBIDDEN, "Host '" + host.strip() + "' is not served here; "
                    + "add it to api.allowed_hosts if it names this host");
        }
    }

    /** A request that changes something: refused when a browser says it comes from another origin. */
    void checkOrigin(HttpExchange ex) {
        String method = ex.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return;
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            return;
        }
        String host = ex.getRequestHeaders().getFirst("Host").strip();
        if (!origin.equalsIgnoreCase("http://" + host) && !origin.equalsIgnoreCase("https://" + host)) {
            throw new NodeException(NodeException.Code.FORBIDDEN, "cross-site request refused (Origin " + origin + ")");
        }
    }

    /** {@code Authorization: Bearer TOKEN}; the scheme in any case, compared in constant time. */
    boolean hasBearer(HttpExchange ex) {
        String given = ex.getRequestHeaders().getFirst("Authorization");
        if (given == null) {
            return false;
        }
        String[] parts = given.strip().split("[ \t]+", 2);
        return parts.length == 2 && parts[0].equalsIgnoreCase("Bearer")
                && MessageDigest.isEqual(parts[1].strip().getBytes(StandardCharsets.UTF_8), token);
    }

    boolean hasPageCookie(HttpExchange ex) {
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String c : header.split(";")) {
                int eq = c.indexOf('=');
                if (eq > 0 && c.substring(0, eq).strip().equals(PAGE_COOKIE)
                        && MessageDigest.isEqual(c.substring(eq + 1).strip().getBytes(StandardCharsets.US_ASCII),
                        pageCookie.getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean isToken(String candidate) {
        return MessageDigest.isEqual(candidate.strip().getBytes(StandardCharsets.UTF_8), token);
    }

    String pageCookie() {
        return pageCookie;
    }

    void requireBearer(HttpExchange ex) {
        if (!hasBearer(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new NodeException(NodeException.Code.UNAUTHORIZED,
                    "a bearer token is required (Authorization: Bearer ...; qxctl reads api.token_file)");
        }
    }

    /** A JSON endpoint takes only {@code application/json}, with or without parameters. */
    static void requireJson(HttpExchange ex) {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new NodeException(NodeException.Code.UNSUPPORTED_MEDIA_TYPE, "this endpoint takes a JSON body: "
                    + "Content-Type: application/json" + (type == null ? "" : ", not " + type));
        }
    }

    /** HMAC of a fixed label under the token: a cookie that leaks gives away the page, not the token. */
    private static String pageCookie(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal("qx-node status page".getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
