package io.qtx.node.config;

/** A bad configuration value, named by where it was written: file and line, or the flag. */
public final class ConfigException extends Exception {

    public ConfigException(String source, int line, String key, String problem) {
        super(source + (line > 0 ? ":" + line : "") + (key == null ? "" : ": " + key) + ": " + problem);
    }
}
