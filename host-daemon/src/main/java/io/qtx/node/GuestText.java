package io.qtx.node;

/**
 * Text a guest chose (its hostname, its version, a message quoting them) made safe for a line
 * of output: control characters (C0, DEL, C1, and the Unicode line and paragraph separators and
 * bidirectional controls that reorder a terminal line) become {@code \\xNN} / {@code \\uNNNN}
 * escapes, and the text is cut at a bound with an ellipsis. So a
 * guest cannot end a log line, forge the next one, or drive a terminal with escape sequences.
 * Every output that shows guest text uses it: log lines, qxctl's terminal output, the status
 * page (which HTML-escapes on top). JSON and SSE escape by their own rules.
 */
public final class GuestText {

    /** How much of one guest string a line shows. */
    public static final int MAX_CHARS = 128;

    private GuestText() {
    }

    /** {@code s} escaped and cut at {@link #MAX_CHARS}; "" for null. */
    public static String safe(String s) {
        return safe(s, MAX_CHARS);
    }

    /** {@code s} escaped and cut at {@code max} characters of input; "" for null. */
    public static String safe(String s, int max) {
        if (s == null) {
            return "";
        }
        boolean cut = s.length() > max;
        int end = cut ? max : s.length();
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(end + 16).append(s, 0, i);
                }
                if (c < 0x100) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        String body = out == null ? s.substring(0, end) : out.toString();
        return cut ? body + "…" : body;
    }

    /** True when {@code s} is shown as it is (nothing to escape, not too long). */
    public static boolean isPlain(String s) {
        return s != null && safe(s).equals(s);
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
                || c == 0x2028 || c == 0x2029 || (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
    }
}
