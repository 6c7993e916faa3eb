package io.qtx.node.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * A small JSON writer for qx-node's own objects, with protobuf messages embedded through
 * JsonFormat (field names as in the .proto files, so the API and the protocol read the same).
 * Not a general library: it writes what the API needs and escapes every string. Made with a
 * sink, the text is streamed there as it grows ({@link StreamedText}) and {@link #finish()}
 * ends it; made without, {@link #toString()} is the text.
 */
final class JsonOut {

    static final JsonFormat.Printer PROTO = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    /** Null when the text is kept whole. */
    private final StreamedText stream;
    private final StringBuilder out;
    /** Whether the current object or array already holds an element (needs a comma). */
    private boolean[] filled = new boolean[16];
    private int depth;

    JsonOut() {
        this.stream = null;
        this.out = new StringBuilder(256);
    }

    JsonOut(java.io.OutputStream sink) {
        this.stream = new StreamedText(sink);
        this.out = stream.text();
    }

    JsonOut beginObject() {
        comma();
        out.append('{');
        push();
        return this;
    }

    JsonOut endObject() {
        depth--;
        out.append('}');
        return spillIfFull();
    }

    JsonOut beginArray() {
        comma();
        out.append('[');
        push();
        return this;
    }

    JsonOut endArray() {
        depth--;
        out.append(']');
        return spillIfFull();
    }

    JsonOut name(String name) {
        comma();
        string(name);
        out.append(':');
        filled[depth] = false; // the value that follows needs no comma of its own
        return this;
    }

    JsonOut value(String s) {
        comma();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    JsonOut value(long n) {
        comma();
        out.append(n);
        return this;
    }

    JsonOut value(double d) {
        comma();
        out.append(Double.isFinite(d) ? Double.toString(d) : "null");
        return this;
    }

    JsonOut value(boolean b) {
        comma();
        out.append(b);
        return this;
    }

    /** A protobuf message as JSON, or null. */
    JsonOut value(MessageOrBuilder message) {
        comma();
        if (message == null) {
            out.append("null");
            return this;
        }
        try {
            out.append(PROTO.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
        }
        return this;
    }

    JsonOut field(String name, String s) {
        return name(name).value(s);
    }

    JsonOut field(String name, long n) {
        return name(name).value(n);
    }

    JsonOut field(String name, double d) {
        return name(name).value(d);
    }

    JsonOut field(String name, boolean b) {
        return name(name).value(b);
    }

    JsonOut field(String name, MessageOrBuilder m) {
        return name(name).value(m);
    }

    private void push() {
        depth++;
        if (depth == filled.length) {
            filled = java.util.Arrays.copyOf(filled, depth * 2);
        }
        filled[depth] = false;
    }

    private void comma() {
        if (filled[depth]) {
            out.append(',');
        }
        filled[depth] = true;
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private JsonOut spillIfFull() {
        if (stream != null) {
            stream.spillIfFull();
        }
        return this;
    }

    /** With a sink: writes what is left and flushes. */
    void finish() {
        stream.finish();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
