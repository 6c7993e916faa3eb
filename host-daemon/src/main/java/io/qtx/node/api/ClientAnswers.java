package io.qtx.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import io.qtx.node.NodeException;

/** What the front sends a client: its own error answers, or the backend's answer relayed. */
final class ClientAnswers {

    /** How long a refused or timed-out client gets to read our answer before the close. */
    private static final int LINGER_MS = 1000;

    private ClientAnswers() {
    }

    /**
     * Relays the backend's answer to the client, its head saying the connection closes after
     * it; gives up at once when the client has been answered already (a late body's 408), and
     * when the client takes nothing for the guard's limit.
     */
    static void relay(Socket relay, Socket client, AtomicBoolean answered, StallGuard guard) {
        try {
            InputStream in = relay.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            int length = 0;
            boolean headDone = false;
            boolean first = true;
            int n;
            while ((n = in.read(chunk, length, chunk.length - length)) > 0) {
                if (first && !answered.compareAndSet(false, true)) {
                    return;
                }
                first = false;
                if (headDone) {
                    guard.write(client, out, chunk, 0, n);
                    continue;
                }
                length += n;
                // The answer's head says the connection closes after it, as it will: a client
                // that kept it for the next request would find it gone.
                int end;
                while ((end = RequestHead.endOfHead(chunk, 0, length)) >= 0) {
                    String head = new String(chunk, 0, end, StandardCharsets.ISO_8859_1);
                    boolean interim = head.startsWith("HTTP/1.1 1");
                    if (interim) {
                        guard.write(client, out, chunk, 0, end);
                    } else {
                        byte[] closingHead = closing(head);
                        guard.write(client, out, closingHead, 0, closingHead.length);
                    }
                    System.arraycopy(chunk, end, chunk, 0, length - end);
                    length -= end;
                    if (!interim) {
                        headDone = true;
                        guard.write(client, out, chunk, 0, length);
                        length = 0;
                        break;
                    }
                }
                if (!headDone && length == chunk.length) {
                    return;
                }
            }
        } catch (IOException e) {
            // either side went away; both are closed by the caller
        }
    }

    /** A response head with its connection headers replaced by {@code Connection: close}. */
    static byte[] closing(String head) {
        StringBuilder b = new StringBuilder(head.length() + 20);
        for (String line : head.split("\r?\n")) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (line.isEmpty() || lower.startsWith("connection:") || lower.startsWith("keep-alive:")) {
                continue;
            }
            b.append(line).append("\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes an error answer, then gives the client a moment to read it before the close. */
    static void error(Socket s, NodeException e) {
        byte[] body = HttpIo.errorJson(e).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + e.code().httpStatus() + " " + reason(e.code()) + "\r\nContent-Type: application/json; "
                + "charset=utf-8\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        try {
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            s.shutdownOutput();
            // Closing with unread input would send a reset that can destroy the answer in flight.
            s.setSoTimeout(LINGER_MS);
            InputStream in = s.getInputStream();
            byte[] sink = new byte[4096];
            long deadline = System.nanoTime() + LINGER_MS * 1_000_000L;
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException ignored) {
            // the client is gone; nothing to tell it
        } finally {
            closeQuietly(s);
        }
    }

    private static String reason(NodeException.Code code) {
        return switch (code) {
            case REQUEST_TIMEOUT -> "Request Timeout";
            case HEADERS_TOO_LARGE -> "Request Header Fields Too Large";
            case TOO_MANY_CONNECTIONS -> "Service Unavailable";
            default -> "Bad Request";
        };
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
