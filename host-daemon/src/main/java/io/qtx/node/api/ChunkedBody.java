package io.qtx.node.api;

import java.io.IOException;

/**
 * Follows the chunked framing of a request body as the front passes it on, to know where the
 * body ends: after that the client owes nothing, so its silence is no longer a late body.
 */
final class ChunkedBody {

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER_LINE, END_LF, DONE }

    /** A chunk larger than this is not a request body qx-node takes. */
    private static final long MAX_CHUNK = 1L << 40;

    private State state = State.SIZE;
    private long size;
    private boolean digits;
    private long left;

    boolean done() {
        return state == State.DONE;
    }

    /** How many of {@code b[off, off+len)} belong to the body; the rest lies past its end. */
    int feed(byte[] b, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end && state != State.DONE) {
            if (state == State.DATA) {
                int take = (int) Math.min(left, end - i);
                i += take;
                left -= take;
                if (left == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte c = b[i++];
            state = switch (state) {
                case SIZE -> size(c);
                case EXTENSION -> c == '\r' ? State.SIZE_LF : c == '\n' ? sizeLineEnd() : State.EXTENSION;
                case SIZE_LF -> expect(c, '\n', sizeLineEnd());
                case DATA_CR -> c == '\r' ? State.DATA_LF : expect(c, '\n', nextChunk());
                case DATA_LF -> expect(c, '\n', nextChunk());
                case TRAILER_START -> c == '\r' ? State.END_LF : c == '\n' ? State.DONE : State.TRAILER_LINE;
                case TRAILER_LINE -> c == '\n' ? State.TRAILER_START : State.TRAILER_LINE;
                case END_LF -> expect(c, '\n', State.DONE);
                default -> throw new IllegalStateException(state.name());
            };
        }
        return i - off;
    }

    private State size(byte c) throws IOException {
        int digit = Character.digit(c, 16);
        if (digit >= 0) {
            size = size * 16 + digit;
            digits = true;
            if (size > MAX_CHUNK) {
                throw new IOException("chunk size over " + MAX_CHUNK);
            }
            return State.SIZE;
        }
        if (!digits) {
            throw new IOException("chunk size expected");
        }
        return switch (c) {
            case ';', ' ', '\t' -> State.EXTENSION;
            case '\r' -> State.SIZE_LF;
            case '\n' -> sizeLineEnd();
            default -> throw new IOException("bad chunk size");
        };
    }

    private State sizeLineEnd() {
        if (size == 0) {
            return State.TRAILER_START;
        }
        left = size;
        return State.DATA;
    }

    private State nextChunk() {
        size = 0;
        digits = false;
        return State.SIZE;
    }

    private static State expect(byte c, char wanted, State next) throws IOException {
        if (c != wanted) {
            throw new IOException("bad chunked framing");
        }
        return next;
    }
}
