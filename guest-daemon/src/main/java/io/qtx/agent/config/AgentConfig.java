package io.qtx.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qtx.kit.config.ConfigException;
import io.qtx.kit.config.ConfigValues;
import io.qtx.proto.RequestKind;

/** The agent's settings, typed and checked; built by {@link ConfigLoader}. */
public record AgentConfig(
        String port,
        Duration telemetryInterval,
        Duration writeTimeout,
        int outboundCapacity,
        Set<RequestKind> allowed,
        boolean execEnabled,
        int execMaxOutput,
        int execDefaultOutput,
        Duration execMaxTimeout,
        List<Path> readPaths,
        List<Path> writePaths,
        List<Path> denyPaths,
        int maxChunk,
        Duration maxThaw,
        int workers,
        int workersQueue,
        Duration uploadIdle,
        Path uploadJournal) {

    /** Every setting at its default. */
    public static AgentConfig defaults() {
        try {
            return from(ConfigValues.defaults(ConfigKeys.TABLE));
        } catch (ConfigException e) {
            throw new AssertionError("the built-in defaults do not parse", e);
        }
    }

    /** A copy with some keys changed, as if given as flags (for tests and the simulator). */
    public AgentConfig with(Map<String, String> changes) throws ConfigException {
        String[] args = changes.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        String[] withConfig = new String[args.length + 2];
        withConfig[0] = "--config";
        withConfig[1] = "/dev/null";
        System.arraycopy(args, 0, withConfig, 2, args.length);
        return ConfigLoader.load(withConfig).config();
    }

    static AgentConfig from(ConfigValues v) throws ConfigException {
        Duration telemetry = v.duration("telemetry.interval");
        if (!telemetry.isZero() && telemetry.compareTo(Duration.ofSeconds(1)) < 0) {
            throw error(v, "telemetry.interval", "must be 0 (off) or at least 1s");
        }
        Set<RequestKind> allowed = kinds(v, "requests.allow");
        allowed.removeAll(kinds(v, "requests.deny"));
        int maxOutput = integer(v, "exec.max_output", 0, Integer.MAX_VALUE);
        int defaultOutput = integer(v, "exec.default_output", 0, Integer.MAX_VALUE);
        if (defaultOutput > maxOutput) {
            throw error(v, "exec.default_output", "is larger than exec.max_output (" + maxOutput + ")");
        }
        return new AgentConfig(
                v.nonEmpty("port"),
                telemetry,
                v.positive("write.timeout"),
                integer(v, "outbound.capacity", (1 << 20) + 64, Integer.MAX_VALUE),
                Set.copyOf(allowed),
                v.bool("exec.enabled"),
                maxOutput,
                defaultOutput,
                v.positive("exec.max_timeout"),
                paths(v, "files.read_paths"),
                paths(v, "files.write_paths"),
                paths(v, "files.deny_paths"),
                integer(v, "files.max_chunk", 1, 16 * 1024 * 1024),
                v.positive("fsfreeze.max_thaw"),
                integer(v, "workers", 1, 64),
                integer(v, "workers.queue", 1, 100_000),
                v.positive("files.upload_idle"),
                path(v, "files.upload_journal"));
    }

    /** An error that quotes the value, as the kit's own readers do. */
    private static ConfigException error(ConfigValues v, String key, String problem) {
        return v.error(key, "'" + v.text(key) + "' " + problem);
    }

    private static int integer(ConfigValues v, String key, int min, int max) throws ConfigException {
        return (int) v.integer(key, min, max);
    }

    private static Path path(ConfigValues v, String key) throws ConfigException {
        Path path = Path.of(v.nonEmpty(key));
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw error(v, key, "is not an absolute, normal path");
        }
        return path;
    }

    private static List<Path> paths(ConfigValues v, String key) throws ConfigException {
        List<Path> out = new ArrayList<>();
        for (String p : v.list(key)) {
            Path path = Path.of(p);
            if (!path.isAbsolute() || !path.normalize().equals(path)) {
                throw error(v, key, "holds '" + p + "', which is not an absolute, normal path");
            }
            out.add(path);
        }
        return List.copyOf(out);
    }

    private static Set<RequestKind> kinds(ConfigValues v, String key) throws ConfigException {
        Set<RequestKind> out = EnumSet.noneOf(RequestKind.class);
        for (String name : v.list(key)) {
            if (name.equals("*")) {
                out.addAll(RequestKinds.ALL);
                continue;
            }
            RequestKind kind = RequestKinds.byName(name);
            if (kind == null) {
                throw error(v, key, "names an unknown request '" + name + "' (known: " + RequestKinds.names() + ")");
            }
            out.add(kind);
        }
        return out;
    }
}
