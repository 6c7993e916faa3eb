package io.qtx.node.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body read out of the connection's stream, up to where its framing says it ends;
 * the connection ending before that is an error, never a shorter body.
 */
abstract class BodyInput extends InputStream {

    /** The connection, positioned after the head. */
    final InputStream in;
    /** Bytes left in the current piece (the whole body, or the current chunk). */
    long left;

    BodyInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** A body of Content-Length bytes. */
    static final class Length extends BodyInput {

        Length(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the answer stopped " + left + " bytes short of its Content-Length");
            }
            left -= n;
            return n;
        }
    }
}
