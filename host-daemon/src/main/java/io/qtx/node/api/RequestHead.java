package io.qtx.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A request's line and headers as the front reads them: whole, within a deadline, at most
 * {@code max} bytes; what the front needs of them (method, body framing); and the same head
 * rewritten for the backend with {@code Connection: close}, so every request is read by the
 * front and none slips through on a kept-alive connection.
 */
final class RequestHead {

    /** Headers over the limit (431). */
    static final class TooLarge extends IOException {
        TooLarge() {
            super(null, null);
        }
    }

    /** Not an HTTP request head (400). */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    final String method;
    /** Content-Length, or -1 when absent. */
    final long contentLength;
    final boolean chunked;
    final boolean expectContinue;
    private final String[] lines;
    /** Bytes read past the head: the start of the body. */
    final byte[] rest;

    private RequestHead(String method, long contentLength, boolean chunked, boolean expectContinue, String[] lines,
                        byte[] rest) {
        this.method = method;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.expectContinue = expectContinue;
        this.lines = lines;
        this.rest = rest;
    }

    /**
     * Reads a head from {@code socket} until {@code deadlineNanos}; null when the client closed
     * before sending a byte. A deadline passed throws {@link SocketTimeoutException}.
     */
    static RequestHead read(Socket socket, InputStream in, long deadlineNanos, int max) throws IOException {
        byte[] buffer = new byte[max];
        int length = 0;
        while (true) {
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("request head");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n = in.read(buffer, length, max - length);
            if (n < 0) {
                if (length == 0) {
                    return null;
                }
                throw new Malformed("the connection closed inside the request head");
            }
            int from = Math.max(0, length - 3);
            length += n;
            int end = endOfHead(buffer, from, length);
            if (end >= 0) {
                return parse(new String(buffer, 0, end, StandardCharsets.ISO_8859_1),
                        Arrays.copyOfRange(buffer, end, length));
            }
            if (length == max) {
                throw new TooLarge();
            }
        }
    }

    /** The index just past the blank line ending the head (CRLF CRLF, or bare LFs), or -1. */
    static int endOfHead(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != '\n') {
                continue;
            }
            if (i + 1 < to && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < to && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    private static RequestHead parse(String text, byte[] rest) throws Malformed {
        String[] lines = text.split("\r?\n");
        String[] requestLine = lines.length == 0 ? new String[0] : lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[0].matches("[A-Z]{1,16}") || !requestLine[2].startsWith("HTTP/")) {
            throw new Malformed("not an HTTP request line");
        }
        long contentLength = -1;
        boolean chunked = false;
        boolean expect = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> {
                    long n;
                    try {
                        n = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new Malformed("Content-Length '" + value + "' is not a number");
                    }
                    if (n < 0 || (contentLength >= 0 && contentLength != n)) {
                        throw new Malformed("conflicting or negative Content-Length");
                    }
                    contentLength = n;
                }
                case "transfer-encoding" -> chunked |= value.toLowerCase(Locale.ROOT).contains("chunked");
                case "expect" -> expect |= value.equalsIgnoreCase("100-continue");
                default -> {
                }
            }
        }
        return new RequestHead(requestLine[0], contentLength, chunked, expect, lines, rest);
    }

    /**
     * The head for the backend: hop-by-hop connection headers replaced by {@code Connection:
     * close}; {@code Expect} dropped when the front already answered it.
     */
    byte[] forBackend(boolean dropExpect) {
        StringBuilder b = new StringBuilder(256);
        b.append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon <= 0 ? "" : lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (name.equals("connection") || name.equals("keep-alive") || name.equals("proxy-connection")
                    || (dropExpect && name.equals("expect"))) {
                continue;
            }
            b.append(lines[i]).append("\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
