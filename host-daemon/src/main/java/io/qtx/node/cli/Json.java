package io.qtx.node.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What qxctl does with the API's JSON: read an object ({@link JsonReader}), look values up by
 * dotted path, show them on a terminal, and quote strings for the JSON it writes itself.
 * An absent value and a value of the wrong kind read as empty, zero or false: qxctl prints what
 * it finds and never fails on a field a newer or older qx-node leaves out.
 */
final class Json {

    /** JSON's null: present, unlike an absent key, which looks up as Java's null. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private Json() {
    }

    /** Parses an API answer, which is always an object. */
    static Map<String, Object> parse(String json) throws CliException {
        Object v;
        try {
            v = JsonReader.read(json);
        } catch (JsonReader.Malformed e) {
            throw new CliException(Exit.INTERNAL, "qx-node answered something that is not JSON: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new CliException(Exit.INTERNAL, "qx-node answered JSON that is not an object");
        }
        return object(v);
    }

    /** The value at a dotted path ({@link #NULL} for a JSON null), or null when absent. */
    static Object at(Map<String, Object> o, String path) {
        Object v = o;
        int from = 0;
        while (from <= path.length()) {
            int dot = path.indexOf('.', from);
            int end = dot < 0 ? path.length() : dot;
            if (!(v instanceof Map<?, ?> m)) {
                return null;
            }
            v = m.get(path.substring(from, end));
            if (v == null) {
                return null;
            }
            from = end + 1;
        }
        return v;
    }

    /** The value as text: strings as they are, whole numbers without a fraction, "" when absent or null. */
    static String str(Map<String, Object> o, String path) {
        Object v = at(o, path);
        return switch (v) {
            case String s -> s;
            case Double d -> num(d);
            case Boolean b -> b.toString();
            case null, default -> "";
        };
    }

    /**
     * {@link #str} for a terminal: what an agent sent (host names, versions, messages that quote
     * them) reaches qxctl through qx-node, so control characters are escaped and length is bounded.
     */
    static String text(Map<String, Object> o, String path) {
        return io.qtx.node.GuestText.safe(str(o, path), 512);
    }

    /** A number, or a string holding one (protobuf's JSON writes 64-bit integers as strings); else 0. */
    static double number(Map<String, Object> o, String path) {
        Object v = at(o, path);
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    static boolean bool(Map<String, Object> o, String path) {
        return at(o, path) instanceof Boolean b && b;
    }

    /** The objects of the array at {@code path}; an element that is not an object reads as empty. */
    static List<Map<String, Object>> objects(Map<String, Object> o, String path) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (at(o, path) instanceof List<?> l) {
            for (Object e : l) {
                out.add(e instanceof Map<?, ?> ? object(e) : Map.of());
            }
        }
        return out;
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v) {
        return (Map<String, Object>) v; // JsonReader makes every object a Map<String, Object>
    }
}
