package io.qtx.kit.config;

/**
 * A configuration that cannot be used. The message is {@code FILE:LINE: key: problem} for a
 * file, {@code command line --key: key: problem} for a flag, and leaves out what does not apply.
 */
public final class ConfigException extends Exception {

    private final String key;
    private final int line;

    public ConfigException(String source, int line, String key, String problem) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (key == null ? "" : key + ": ") + problem);
        this.key = key;
        this.line = line;
    }

    /** The key at fault (a flag as typed, {@code --name}, when the flag itself is unknown); null for none. */
    public String key() {
        return key;
    }

    /** The 1-based line in the file, 0 for a flag or the file as a whole. */
    public int line() {
        return line;
    }
}
