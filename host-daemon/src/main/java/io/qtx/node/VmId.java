package io.qtx.node;

import java.util.regex.Pattern;

/**
 * A VM id as it appears in {@code {vm_id}.agent.sock}. Ids reach file paths and URLs, so only
 * a plain name is accepted: letters, digits, '.', '_' and '-', starting with a letter or digit
 * (so never "." or ".."), at most 64 characters, which keeps the socket path within sun_path.
 */
public record VmId(String value) {

    public static final String SOCKET_SUFFIX = ".agent.sock";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public VmId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("vm id " + quote(value)
                    + " is not a plain name (letters, digits, '.', '_', '-'; at most 64; no leading '.' or '-')");
        }
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    /** The id of a socket file name, or null when the name is not {@code {valid id}.agent.sock}. */
    public static VmId fromSocketName(String fileName) {
        if (fileName == null || !fileName.endsWith(SOCKET_SUFFIX)) {
            return null;
        }
        String id = fileName.substring(0, fileName.length() - SOCKET_SUFFIX.length());
        return isValid(id) ? new VmId(id) : null;
    }

    public String socketName() {
        return value + SOCKET_SUFFIX;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('"').toString();
    }

    @Override
    public String toString() {
        return value;
    }
}
