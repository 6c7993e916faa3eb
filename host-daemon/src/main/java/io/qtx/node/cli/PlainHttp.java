package io.qtx.node.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request per connection over a plain TCP socket, for qxctl: qx-node's API is plain
 * HTTP on loopback, and {@code java.net.http} loaded its HTTP/2 and TLS machinery (about 440
 * classes) for every command. Requests are {@code Connection: close}; a response body is
 * delimited by Content-Length, by chunked framing, or by the end of the connection, and one
 * that stops short of what its framing promised is an error, never a shorter body.
 */
final class PlainHttp {

    /** Longest status or header line we read; qx-node's are a few dozen bytes. */
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 100;
    private static final int CONNECT_TIMEOUT_MS = 5000;

    /** Where requests go: from an {@code http://host[:port][/prefix]} URL. */
    record Target(String host, int port, String authority, String prefix) {

        static Target of(String url) throws CliException {
            if (!url.regionMatches(true, 0, "http://", 0, 7)) {
                throw new CliException(Exit.USAGE, "qxctl speaks plain http:// to qx-node, not '" + url + "'");
            }
            String rest = url.substring(7);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash);
            int close = authority.lastIndexOf(']');
            int colon = authority.lastIndexOf(':');
            String host = colon > close ? authority.substring(0, colon) : authority;
            int port = 80;
            if (colon > close) {
                try {
                    port = Integer.parseInt(authority.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty() || port < 1 || port > 65535 || !safe(authority + prefix)) {
                throw new CliException(Exit.USAGE, "not a URL qxctl can use: '" + url + "'");
            }
            return new Target(host, port, authority, prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        }
    }

    /** A response whose body is read as it arrives; closing it closes the connection. */
    record Response(int status, InputStream body, Socket socket) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private PlainHttp() {
    }

    /**
     * Sends one request and reads the response's head. {@code body} is sent with its length,
     * {@code stream} chunked (its length is unknown: standard input); at most one is non-null.
     * {@code timeoutMs} bounds each wait for the server (0: none, for streams that wait for events).
     */
    static Response exchange(Target t, String method, String path, String token, String contentType, byte[] body,
                             InputStream stream, int timeoutMs) throws IOException, CliException {
        if (!safe(path) || (token != null && !safe(token))) {
            throw new CliException(Exit.USAGE, "a control character or space in the request path or token");
        }
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(t.prefix()).append(path)
                .append(" HTTP/1.1\r\nHost: ").append(t.authority()).append("\r\nConnection: close\r\n");
        if (token != null && !token.isEmpty()) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (stream != null) {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        head.append("\r\n");
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(t.host(), t.port()), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(timeoutMs);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            try {
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 65536);
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                } else if (stream != null) {
                    ChunkedInput.writeChunked(stream, out);
                }
                out.flush();
            } catch (IOException e) {
                // qx-node may answer (401, 413) and close before taking the whole body: its answer
                // says more than the broken pipe.
                if (!socket.isClosed() && in.available() == 0) {
                    throw e;
                }
            }
            Response r = response(in, socket);
            socket = null;
            return r;
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
    }

    private static Response response(InputStream in, Socket socket) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.x answer: " + io.qtx.node.GuestText.safe(status, 64));
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + io.qtx.node.GuestText.safe(status, 64));
        }
        long length = -1;
        boolean chunked = false;
        for (int n = 0; ; n++) {
            String h = line(in);
            if (h.isEmpty()) {
                break;
            }
            if (n == MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " header lines");
            }
            int colon = h.indexOf(':');
            String name = colon < 0 ? h : h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : h.substring(colon + 1).strip();
            if (name.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
            } else if (name.equals("content-length")) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + io.qtx.node.GuestText.safe(value, 32));
                }
            }
        }
        InputStream body = chunked ? new ChunkedInput(in) : length >= 0 ? new BodyInput.Length(in, length) : in;
        return new Response(code, body, socket);
    }

    /** One CRLF-ended line of the head, without its end. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the connection closed inside the answer's head");
            }
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (b.size() == MAX_LINE) {
                throw new IOException("a line of the answer's head is longer than " + MAX_LINE + " bytes");
            }
            b.write(c);
        }
    }

    /** No byte that would end or split a request line or header. */
    private static boolean safe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
