package io.qtx.kit.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every key a daemon knows, with its default and one line of help. The file, the flags and
 * {@code --help} all read this one table, so a key cannot be known to one and not the others.
 */
public final class KeyTable {

    /** One key: its default (text, parsed like file text) and what it does. */
    public record Key(String name, String defaultValue, String help) {
    }

    /** Whose keys these are, for "see PROGRAM --help" in errors. */
    private final String program;
    private final Map<String, Key> keys = new LinkedHashMap<>();

    public KeyTable(String program) {
        this.program = program;
    }

    /** Adds a key; the order of adding is the order of {@code --help}. */
    public KeyTable add(String name, String defaultValue, String help) {
        if (keys.putIfAbsent(name, new Key(name, defaultValue, help)) != null) {
            throw new IllegalArgumentException("key " + name + " added twice");
        }
        return this;
    }

    public String program() {
        return program;
    }

    /** The key called {@code name}, or null. */
    public Key find(String name) {
        return keys.get(name);
    }

    public Collection<Key> all() {
        return Collections.unmodifiableCollection(keys.values());
    }
}
