package io.qtx.node.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 chunked framing for qxctl: the body of a response qx-node streams (the event stream,
 * a download) read chunk by chunk, and a request body of unknown length (an upload from
 * standard input) written the same way. A body that ends without its last, empty chunk was cut
 * off, and reads as an error.
 */
final class ChunkedInput extends BodyInput {

    /** A chunk size beyond this is not something qx-node sends. */
    private static final long MAX_CHUNK = 1L << 40;
    private static final int WRITE_CHUNK = 65536;

    private boolean done;

    ChunkedInput(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (left == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            throw new EOFException("the answer was cut off inside a chunk");
        }
        left -= n;
        if (left == 0) {
            crlf();
        }
        return n;
    }

    /** Reads the next chunk's size line; false at the last chunk (after its trailers). */
    private boolean nextChunk() throws IOException {
        if (done) {
            return false;
        }
        String line = PlainHttp.line(in);
        int semi = line.indexOf(';');
        String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
        long size;
        try {
            size = hex.isEmpty() || hex.length() > 12 ? -1 : Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 0 || size > MAX_CHUNK) {
            throw new IOException("bad chunk size line: " + io.qtx.node.GuestText.safe(line, 32));
        }
        if (size == 0) {
            while (!PlainHttp.line(in).isEmpty()) {
                // trailers: qxctl uses none
            }
            done = true;
            return false;
        }
        left = size;
        return true;
    }

    private void crlf() throws IOException {
        if (!PlainHttp.line(in).isEmpty()) {
            throw new IOException("a chunk is longer than its size line says");
        }
    }

    /** Writes all of {@code body} to {@code out} as chunks, then the last chunk. */
    static void writeChunked(InputStream body, OutputStream out) throws IOException {
        byte[] buf = new byte[WRITE_CHUNK];
        int n;
        while ((n = body.readNBytes(buf, 0, buf.length)) > 0) {
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(buf, 0, n);
            out.write('\r');
            out.write('\n');
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
