package io.qtx.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
        Map<String, ConfigLoader.Origin> values = new java.util.LinkedHashMap<>();
        ConfigKeys.defaults().forEach((k, v) -> values.put(k, new ConfigLoader.Origin(v, "default", 0)));
        try {
            return from(values);
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

    static AgentConfig from(Map<String, ConfigLoader.Origin> v) throws ConfigException {
        Duration telemetry = duration(v, "telemetry.interval");
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
                nonEmpty(v, "port"),
                telemetry,
                positive(v, "write.timeout"),
                integer(v, "outbound.capacity", (1 << 20) + 64, Integer.MAX_VALUE),
                Set.copyOf(allowed),
                bool(v, "exec.enabled"),
                maxOutput,
                defaultOutput,
                positive(v, "exec.max_timeout"),
                paths(v, "files.read_paths"),
                paths(v, "files.write_paths"),
                paths(v, "files.deny_paths"),
                integer(v, "files.max_chunk", 1, 16 * 1024 * 1024),
                positive(v, "fsfreeze.max_thaw"),
                integer(v, "workers", 1, 64),
                integer(v, "workers.queue", 1, 100_000),
                positive(v, "files.upload_idle"),
                path(v, "files.upload_journal"));
    }

    private static ConfigException error(Map<String, ConfigLoader.Origin> v, String key, String problem) {
        ConfigLoader.Origin o = v.get(key);
        return new ConfigException(o.source(), o.line(), key, "'" + o.value() + "' " + problem);
    }

    private static String nonEmpty(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        String s = v.get(key).value();
        if (s.isEmpty()) {
            throw error(v, key, "must not be empty");
        }
        return s;
    }

    private static boolean bool(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        return switch (v.get(key).value().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw error(v, key, "is not a boolean (true/false)");
        };
    }

    private static int integer(Map<String, ConfigLoader.Origin> v, String key, int min, int max)
            throws ConfigException {
        long n;
        try {
            n = Long.parseLong(v.get(key).value());
        } catch (NumberFormatException e) {
            throw error(v, key, "is not a whole number");
        }
        if (n < min || n > max) {
            throw error(v, key, "is out of range [" + min + ", " + max + "]");
        }
        return (int) n;
    }

    private static Duration positive(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        Duration d = duration(v, key);
        if (d.isZero()) {
            throw error(v, key, "must be more than 0");
        }
        return d;
    }

    /** "250ms", "5s", "2m", "1h", or a bare number of seconds. */
    private static Duration duration(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        String s = v.get(key).value().strip().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))));
            }
            char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
            String number = Character.isLetter(unit) ? s.substring(0, s.length() - 1) : s;
            long n = Long.parseLong(number);
            return nonNegative(switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> {
                    if (Character.isLetter(unit)) {
                        throw new NumberFormatException();
                    }
                    yield Duration.ofSeconds(n);
                }
            });
        } catch (NumberFormatException | ArithmeticException e) {
            throw error(v, key, "is not a duration (e.g. 500ms, 5s, 2m, 1h)");
        }
    }

    private static Duration nonNegative(Duration d) {
        if (d.isNegative()) {
            throw new NumberFormatException();
        }
        return d;
    }

    private static List<String> list(Map<String, ConfigLoader.Origin> v, String key) {
        List<String> out = new ArrayList<>();
        for (String part : v.get(key).value().split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static Path path(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        Path path = Path.of(nonEmpty(v, key));
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw error(v, key, "is not an absolute, normal path");
        }
        return path;
    }

    private static List<Path> paths(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        List<Path> out = new ArrayList<>();
        for (String p : list(v, key)) {
            Path path = Path.of(p);
            if (!path.isAbsolute() || !path.normalize().equals(path)) {
                throw error(v, key, "holds '" + p + "', which is not an absolute, normal path");
            }
            out.add(path);
        }
        return List.copyOf(out);
    }

    private static Set<RequestKind> kinds(Map<String, ConfigLoader.Origin> v, String key) throws ConfigException {
        Set<RequestKind> out = EnumSet.noneOf(RequestKind.class);
        for (String name : list(v, key)) {
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
