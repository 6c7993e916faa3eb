package io.qtx.node.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * An answer's text, written to its stream {@link #SPILL_CHARS} at a time as it is made. The
 * answers that grow with the VMs (metrics, the status data, the VM list) are tens of MB at
 * 5,000 VMs; built whole (builder, string, bytes) a few at once took qx-node's heap past its
 * limit. A failed write surfaces as an {@link UncheckedIOException}: the writers' methods
 * chain and declare nothing.
 */
final class StreamedText {

    /** Text held before it is written. */
    static final int SPILL_CHARS = 32 * 1024;

    private final StringBuilder text = new StringBuilder(SPILL_CHARS + 4096);
    private final OutputStream sink;

    StreamedText(OutputStream sink) {
        this.sink = sink;
    }

    /** Where the writer appends; {@link #spillIfFull()} after each element keeps it small. */
    StringBuilder text() {
        return text;
    }

    void spillIfFull() {
        if (text.length() >= SPILL_CHARS) {
            spill();
        }
    }

    /** Writes what is left and flushes. */
    void finish() {
        spill();
        try {
            sink.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void spill() {
        try {
            sink.write(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        text.setLength(0);
    }
}
