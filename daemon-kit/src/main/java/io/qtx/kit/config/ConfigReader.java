package io.qtx.kit.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a daemon's settings: the table's defaults, then the file, then the flags. The file is
 * {@code key = value} lines; '#' starts a comment; blank lines are ignored. An unknown key, a
 * key set twice, a line without '=' and an unknown flag are errors that name the file and line
 * (or the flag); values are checked later, by the daemon, through {@link ConfigValues}.
 */
public final class ConfigReader {

    private ConfigReader() {
    }

    /**
     * The values for {@code keys} from {@code file} and {@code flags}. An absent file is an error
     * only when {@code mustExist} (a path the operator named), not for the default path.
     */
    public static ConfigValues read(KeyTable keys, Path file, boolean mustExist, Map<String, String> flags)
            throws ConfigException {
        Map<String, ConfigValues.Origin> values = new LinkedHashMap<>();
        keys.all().forEach(k -> values.put(k.name(), new ConfigValues.Origin(k.defaultValue(), ConfigValues.DEFAULT, 0)));
        try {
            values.putAll(parse(keys, file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            if (mustExist) {
                throw new ConfigException(file.toString(), 0, null, "no such file");
            }
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, null, "cannot read: " + e.getMessage());
        }
        for (Map.Entry<String, String> flag : flags.entrySet()) {
            if (keys.find(flag.getKey()) == null) {
                throw new ConfigException(CommandLine.SOURCE, 0, "--" + flag.getKey(),
                        "unknown flag (see " + keys.program() + " --help)");
            }
            values.put(flag.getKey(), new ConfigValues.Origin(flag.getValue(), CommandLine.SOURCE + " --" + flag.getKey(), 0));
        }
        return new ConfigValues(values);
    }

    /** The values {@code lines} (the text of {@code source}) set; nothing else. */
    static Map<String, ConfigValues.Origin> parse(KeyTable keys, String source, List<String> lines)
            throws ConfigException {
        Map<String, ConfigValues.Origin> values = new LinkedHashMap<>();
        for (int n = 1; n <= lines.size(); n++) {
            String content = content(lines.get(n - 1));
            if (content.isEmpty()) {
                continue;
            }
            int eq = content.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(source, n, null, "expected 'key = value', got '" + content + "'");
            }
            String key = content.substring(0, eq).strip();
            if (keys.find(key) == null) {
                throw new ConfigException(source, n, key, "unknown key (see " + keys.program() + " --help)");
            }
            ConfigValues.Origin earlier = values.put(key, new ConfigValues.Origin(content.substring(eq + 1).strip(), source, n));
            if (earlier != null) {
                throw new ConfigException(source, n, key, "given twice (already set on line " + earlier.line() + ")");
            }
        }
        return values;
    }

    /**
     * One key's value as the file and the defaults give it, checking nothing else: for a client
     * (qxctl) that needs one setting of a file it may not be able to judge.
     */
    public static String peek(KeyTable keys, Path file, String key) {
        String value = keys.find(key).defaultValue();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String content = content(line);
                int eq = content.indexOf('=');
                if (eq > 0 && content.substring(0, eq).strip().equals(key)) {
                    value = content.substring(eq + 1).strip();
                }
            }
        } catch (IOException e) {
            // unreadable or absent: the default
        }
        return value;
    }

    /** A line without its comment and surrounding blanks. */
    private static String content(String line) {
        int hash = line.indexOf('#');
        return (hash < 0 ? line : line.substring(0, hash)).strip();
    }
}
