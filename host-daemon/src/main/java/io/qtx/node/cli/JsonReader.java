package io.qtx.node.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) into plain Java values: {@code Map<String, Object>} (in document order),
 * {@code List<Object>}, {@code String}, {@code Double}, {@code Boolean} and {@link Json#NULL}.
 * qxctl's own reader, so that a command loads neither protobuf's JsonFormat nor gson: what it
 * shows needs a tree and a few lookups, nothing reflective.
 *
 * <p>What qx-node sends passes through from guests, so the input is not trusted: nesting is
 * bounded (no stack overflow), a repeated key is refused (two readers could pick different
 * values), numbers follow the JSON grammar exactly and become doubles (as JSON readers in
 * browsers and as protobuf's {@code Struct} did), and every failure names its offset.
 */
final class JsonReader {

    /** Deeper than anything qx-node writes by far; bounds the recursion. */
    static final int MAX_DEPTH = 128;

    private final String s;
    private int i;

    private JsonReader(String s) {
        this.s = s;
    }

    /** The value {@code text} holds, which must be all of it. */
    static Object read(String text) throws Malformed {
        if (text == null) {
            throw new Malformed("no body", 0);
        }
        JsonReader r = new JsonReader(text);
        r.space();
        Object v = r.value(0);
        r.space();
        if (r.i != text.length()) {
            throw new Malformed("text after the value", r.i);
        }
        return v;
    }

    private Object value(int depth) throws Malformed {
        if (depth >= MAX_DEPTH) {
            throw new Malformed("nested deeper than " + MAX_DEPTH, i);
        }
        char c = peek();
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", Json.NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new Malformed("unexpected " + describe(c), i);
            }
        };
    }

    private Map<String, Object> object(int depth) throws Malformed {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        space();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            if (peek() != '"') {
                throw new Malformed("expected a key", i);
            }
            int at = i;
            String key = string();
            space();
            expect(':');
            space();
            if (m.put(key, value(depth + 1)) != null) {
                throw new Malformed("key \"" + key + "\" twice", at);
            }
            space();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new Malformed("expected ',' or '}'", i - 1);
            }
            space();
        }
    }

    private List<Object> array(int depth) throws Malformed {
        List<Object> l = new ArrayList<>();
        i++;
        space();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            l.add(value(depth + 1));
            space();
            char c = next();
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                throw new Malformed("expected ',' or ']'", i - 1);
            }
            space();
        }
    }

    private String string() throws Malformed {
        i++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new Malformed("raw control character in a string", i - 1);
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> b.append(hex4());
                default -> throw new Malformed("bad escape \\" + describe(e), i - 1);
            }
        }
    }

    /** A UTF-16 unit; a surrogate pair arrives as two escapes and is joined by the builder. */
    private char hex4() throws Malformed {
        if (i + 4 > s.length()) {
            throw new Malformed("cut off in a \\u escape", i);
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0) {
                throw new Malformed("bad \\u escape", i);
            }
            v = v * 16 + d;
        }
        i += 4;
        return (char) v;
    }

    private Double number() throws Malformed {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else {
            digits(start);
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            digits(start);
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            digits(start);
        }
        // Beyond a double's range becomes ±Infinity, as in any JSON reader that reads doubles.
        return Double.parseDouble(s.substring(start, i));
    }

    private void digits(int start) throws Malformed {
        int from = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == from) {
            throw new Malformed("bad number", start);
        }
    }

    private Object word(String w, Object v) throws Malformed {
        if (!s.startsWith(w, i)) {
            throw new Malformed("unexpected " + describe(s.charAt(i)), i);
        }
        i += w.length();
        return v;
    }

    private void space() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private void expect(char c) throws Malformed {
        if (next() != c) {
            throw new Malformed("expected '" + c + "'", i - 1);
        }
    }

    private char peek() throws Malformed {
        if (i >= s.length()) {
            throw new Malformed("cut off", i);
        }
        return s.charAt(i);
    }

    private char next() throws Malformed {
        char c = peek();
        i++;
        return c;
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** Not JSON, with where it stopped being JSON. */
    static final class Malformed extends Exception {
        Malformed(String what, int offset) {
            super(what + " at offset " + offset, null, false, false);
        }
    }
}
