package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Where a chunked body ends, whatever way its bytes are split across reads. */
class ChunkedBodyTest {

    private static final String BODY = "5\r\nhello\r\n1a;name=x\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n";

    @Test
    void findsTheEndAtEverySplit() throws IOException {
        byte[] all = (BODY + "GET / HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= all.length; split++) {
            ChunkedBody c = new ChunkedBody();
            int first = c.feed(all, 0, split);
            int taken = first + (c.done() ? 0 : c.feed(all, split, all.length - split));
            assertTrue(c.done(), "split " + split);
            assertEquals(BODY.length(), taken, "split " + split);
        }
    }

    @Test
    void aBodyCutShortIsNotDoneAndBadFramingIsRefused() throws IOException {
        ChunkedBody c = new ChunkedBody();
        byte[] part = "5\r\nhel".getBytes(StandardCharsets.US_ASCII);
        assertEquals(part.length, c.feed(part, 0, part.length));
        assertFalse(c.done());
        byte[] bad = "zz\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> new ChunkedBody().feed(bad, 0, bad.length));
        byte[] noCrlf = "1\r\naX".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> new ChunkedBody().feed(noCrlf, 0, noCrlf.length));
    }
}
