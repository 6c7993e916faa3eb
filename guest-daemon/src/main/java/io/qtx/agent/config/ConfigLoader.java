package io.qtx.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the configuration: defaults, then the file, then command-line flags. The file is
 * {@code key = value} lines; '#' starts a comment; blank lines are ignored. Flags are
 * {@code --key=value} or {@code --key value} for any key, plus {@code --config PATH}.
 * Every value remembers where it came from, so a bad one is reported with its key and line.
 */
public final class ConfigLoader {

    public static final Path DEFAULT_PATH = Path.of("/etc/quantix-kvm/agent.conf");

    /** A value and where it was written: a file and line, or a flag (line 0). */
    record Origin(String value, String source, int line) {
    }

    /** What the command line asked for beyond the configuration. */
    public enum Action { RUN, HELP, VERSION }

    /** The outcome: what to do, and the configuration to do it with (null for HELP/VERSION). */
    public record Loaded(Action action, AgentConfig config) {
    }

    private ConfigLoader() {
    }

    /**
     * Parses {@code args}. Without {@code --config} the default path is read if it exists;
     * a path given explicitly must exist.
     */
    public static Loaded load(String[] args) throws ConfigException {
        Path file = null;
        boolean explicit = false;
        Map<String, Origin> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Loaded(Action.HELP, null);
            }
            if (arg.equals("--version")) {
                return new Loaded(Action.VERSION, null);
            }
            if (!arg.startsWith("--")) {
                throw new ConfigException("command line", 0, null, "unexpected argument '" + arg + "' (see --help)");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("command line", 0, name, "needs a value");
            }
            if (name.equals("config")) {
                file = Path.of(value);
                explicit = true;
            } else if (ConfigKeys.find(name) == null) {
                throw new ConfigException("command line", 0, name, "unknown option (see --help)");
            } else {
                flags.put(name, new Origin(value, "--" + name, 0));
            }
        }
        Map<String, Origin> values = new LinkedHashMap<>();
        ConfigKeys.defaults().forEach((k, v) -> values.put(k, new Origin(v, "default", 0)));
        Path path = file != null ? file : DEFAULT_PATH;
        try {
            values.putAll(parseFile(path, Files.readAllLines(path, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            if (explicit) {
                throw new ConfigException(path.toString(), 0, null, "no such file");
            }
        } catch (IOException e) {
            throw new ConfigException(path.toString(), 0, null, "cannot read: " + e.getMessage());
        }
        values.putAll(flags);
        return new Loaded(Action.RUN, AgentConfig.from(values));
    }

    /** The values a file sets; unknown keys, duplicates and lines without '=' are errors. */
    static Map<String, Origin> parseFile(Path path, List<String> lines) throws ConfigException {
        Map<String, Origin> values = new LinkedHashMap<>();
        String source = path.toString();
        for (int n = 1; n <= lines.size(); n++) {
            String line = stripComment(lines.get(n - 1)).strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(source, n, null, "expected 'key = value', found '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (ConfigKeys.find(key) == null) {
                throw new ConfigException(source, n, key, "unknown key");
            }
            Origin earlier = values.put(key, new Origin(value, source, n));
            if (earlier != null) {
                throw new ConfigException(source, n, key, "already set on line " + earlier.line());
            }
        }
        return values;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    /** The --help text, generated from the key table. */
    public static String help() {
        List<String> out = new ArrayList<>();
        out.add("Usage: quantix-kvm-agent [--config PATH] [--KEY=VALUE ...] [--help] [--version]");
        out.add("");
        out.add("The guest side of the qtx virtio-serial channel. Settings come from the config file");
        out.add("(default " + DEFAULT_PATH + ", 'key = value' lines, '#' comments), then from flags,");
        out.add("which override the file. Durations take ms, s, m or h (a bare number is seconds).");
        out.add("");
        for (ConfigKeys.Key key : ConfigKeys.all()) {
            out.add(String.format("  --%-30s %s", key.name() + "=" + (key.defaultValue().isEmpty() ? "\"\"" : key.defaultValue()),
                    key.help()));
        }
        return String.join("\n", out) + "\n";
    }
}
