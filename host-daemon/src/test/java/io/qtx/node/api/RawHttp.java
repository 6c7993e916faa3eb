package io.qtx.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP by hand, for what java.net.http will not send (a Host of our choosing, a request that
 * stops halfway) and for clients from other loopback addresses (all of 127/8 reaches lo).
 */
final class RawHttp {

    private RawHttp() {
    }

    /** A connection from {@code from} (127.0.0.x) to the API's port. */
    static Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(60_000);
        return s;
    }

    /** Sends {@code request} and returns everything the server sends until it closes. */
    static String exchange(String from, int port, String request) throws IOException {
        try (Socket s = connect(from, port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return readAll(s);
        }
    }

    static String readAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** A complete request with the token and {@code Host: host}. */
    static String request(String method, String path, String host, String headers, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
                + io.qtx.node.TestRigs.TOKEN + "\r\n" + headers + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /**
     * The body of a whole response, its chunked framing undone: a chunk boundary may fall in the
     * middle of a line of a streamed answer (the metrics, the VM list).
     */
    static String body(String response) {
        int start = response.indexOf("\r\n\r\n") + 4;
        String head = response.substring(0, start).toLowerCase(java.util.Locale.ROOT);
        if (!head.contains("\r\ntransfer-encoding: chunked\r\n")) {
            return response.substring(start);
        }
        StringBuilder body = new StringBuilder();
        int at = start;
        while (true) {
            int lineEnd = response.indexOf("\r\n", at);
            int size = Integer.parseInt(response.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(response, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }
}
