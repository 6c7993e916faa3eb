package io.qtx.kit.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A daemon's command line, split once for both daemons: {@code --help}/{@code -h} and
 * {@code --version} are actions, {@code --config PATH} names the file, the daemon's own
 * switches (such as {@code --check-config}) take no value, and every other
 * {@code --key=value} or {@code --key value} is a setting. Whether a setting's key exists is
 * {@link ConfigReader}'s to say, so a flag and a file line are checked by the same table.
 *
 * @param configFile the {@code --config} path, or null when none was given
 * @param flags settings by key, in the order given (a later one wins)
 * @param switches the daemon's own switches that were given
 */
public record CommandLine(Action action, Path configFile, Map<String, String> flags, Set<String> switches) {

    /** What the command line asked for beyond the settings. */
    public enum Action { RUN, HELP, VERSION }

    static final String SOURCE = "command line";

    /** Splits {@code args}; {@code switches} are the daemon's value-less options, spelt with their dashes. */
    public static CommandLine parse(String[] args, KeyTable keys, Set<String> switches) throws ConfigException {
        Path file = null;
        Map<String, String> flags = new LinkedHashMap<>();
        Set<String> given = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new CommandLine(Action.HELP, null, Map.of(), Set.of());
            }
            if (arg.equals("--version")) {
                return new CommandLine(Action.VERSION, null, Map.of(), Set.of());
            }
            if (switches.contains(arg)) {
                given.add(arg);
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new ConfigException(SOURCE, 0, null,
                        "unexpected argument '" + arg + "' (see " + keys.program() + " --help)");
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
                throw new ConfigException(SOURCE, 0, "--" + name, "needs a value");
            }
            if (name.equals("config")) {
                file = Path.of(value);
            } else {
                flags.put(name, value);
            }
        }
        return new CommandLine(Action.RUN, file, Collections.unmodifiableMap(flags), Collections.unmodifiableSet(given));
    }

    public boolean has(String option) {
        return switches.contains(option);
    }
}
