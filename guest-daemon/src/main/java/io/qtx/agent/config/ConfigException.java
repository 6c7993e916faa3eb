package io.qtx.agent.config;

/** A configuration that cannot be used; the message names the key and, for a file, its line. */
public final class ConfigException extends Exception {

    private final String key;
    private final int line;

    public ConfigException(String source, int line, String key, String problem) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (key == null ? "" : key + ": ") + problem);
        this.key = key;
        this.line = line;
    }

    /** The key at fault, or null for a line that has none. */
    public String key() {
        return key;
    }

    /** The 1-based line in the file, 0 for a command-line flag. */
    public int line() {
        return line;
    }
}
