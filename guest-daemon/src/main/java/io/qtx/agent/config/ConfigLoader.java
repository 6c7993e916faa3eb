package io.qtx.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.qtx.kit.config.CommandLine;
import io.qtx.kit.config.ConfigException;
import io.qtx.kit.config.ConfigReader;
import io.qtx.kit.config.KeyTable;

/**
 * Reads the agent's configuration with the daemon kit: defaults, then the file, then
 * command-line flags ({@code --key=value} or {@code --key value} for any key, plus
 * {@code --config PATH}). A bad value is reported with its key and line.
 */
public final class ConfigLoader {

    public static final Path DEFAULT_PATH = Path.of("/etc/quantix-kvm/agent.conf");

    /** The outcome: what to do, and the configuration to do it with (null for HELP/VERSION). */
    public record Loaded(CommandLine.Action action, AgentConfig config) {
    }

    private ConfigLoader() {
    }

    /**
     * Parses {@code args}. Without {@code --config} the default path is read if it exists;
     * a path given explicitly must exist.
     */
    public static Loaded load(String[] args) throws ConfigException {
        CommandLine line = CommandLine.parse(args, ConfigKeys.TABLE, Set.of());
        if (line.action() != CommandLine.Action.RUN) {
            return new Loaded(line.action(), null);
        }
        Path file = line.configFile() != null ? line.configFile() : DEFAULT_PATH;
        return new Loaded(CommandLine.Action.RUN,
                AgentConfig.from(ConfigReader.read(ConfigKeys.TABLE, file, line.configFile() != null, line.flags())));
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
        for (KeyTable.Key key : ConfigKeys.TABLE.all()) {
            out.add(String.format("  --%-30s %s", key.name() + "=" + (key.defaultValue().isEmpty() ? "\"\"" : key.defaultValue()),
                    key.help()));
        }
        return String.join("\n", out) + "\n";
    }
}
