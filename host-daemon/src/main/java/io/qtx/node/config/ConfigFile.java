package io.qtx.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qtx.node.NodeConfig;

/**
 * qx-node's configuration: defaults, then the file, then flags. The file is {@code key = value}
 * lines, '#' starts a comment, blank lines are ignored; the same format as the guest agent's.
 * Flags are {@code --key=value} or {@code --key value} for every key. An unknown key, a
 * repeated key or a bad value stops qx-node with the file, line and key named.
 */
public final class ConfigFile {

    public static final Path DEFAULT_PATH = Path.of("/etc/quantix-kvm/node.conf");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** Every key with its default and what it means: the single source for --help and docs. */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("socket_dir", new String[] {"/var/run/quantix-kvm/vms", "directory of {vm_id}.agent.sock files"});
        k.put("rescan.interval", new String[] {"30s", "slow rescan of socket_dir behind inotify"});
        k.put("api.listen", new String[] {"127.0.0.1:8710", "address:port of the HTTP API (port 0: any free one)"});
        k.put("api.token_file", new String[] {"", "file holding the bearer token the API requires (empty: none)"});
        k.put("api.max_body", new String[] {"1048576", "largest JSON request body, bytes (file uploads stream)"});
        k.put("api.threads", new String[] {"8", "HTTP handler threads"});
        k.put("heartbeat.interval", new String[] {"5s", "a ready VM silent this long is pinged"});
        k.put("heartbeat.unresponsive_after", new String[] {"15s", "a ready VM silent this long is unresponsive"});
        k.put("served.check", new String[] {"3s", "how soon after connecting qx-node checks QEMU reads it"});
        k.put("hello.retry", new String[] {"2s", "wait for a hello reply before saying hello again"});
        k.put("probe.timeout", new String[] {"2s", "a liveness ping unanswered this long makes the VM unresponsive"});
        k.put("reconnect.min", new String[] {"200ms", "first reconnect delay (jittered, doubling)"});
        k.put("reconnect.max", new String[] {"30s", "largest reconnect delay"});
        k.put("request.timeout", new String[] {"10s", "default deadline of an agent request"});
        k.put("telemetry.history", new String[] {"60", "telemetry reports kept per VM"});
        k.put("telemetry.stale_after", new String[] {"15s", "telemetry older than this is flagged stale"});
        k.put("channel.max_payload", new String[] {"262144", "largest frame payload accepted, bytes"});
        k.put("channel.outbound_capacity", new String[] {"524288", "bytes queued per VM before sends are refused"});
        return java.util.Collections.unmodifiableMap(k);
    }

    /** A value and where it was written. */
    private record Origin(String value, String source, int line) {
    }

    private ConfigFile() {
    }

    /**
     * Reads {@code file} (null: the default path, if it exists) and applies {@code flags}
     * ({@code key -> value}, already split by the command line parser).
     */
    public static NodeConfig load(Path file, boolean mustExist, Map<String, String> flags) throws ConfigException {
        Map<String, Origin> values = new LinkedHashMap<>();
        KEYS.forEach((k, v) -> values.put(k, new Origin(v[0], "default", 0)));
        Path path = file == null ? DEFAULT_PATH : file;
        List<String> lines = null;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (mustExist) {
                throw new ConfigException(path.toString(), 0, null, "no such file");
            }
        } catch (IOException e) {
            throw new ConfigException(path.toString(), 0, null, "cannot read: " + e.getMessage());
        }
        if (lines != null) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int hash = line.indexOf('#');
                String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (content.isEmpty()) {
                    continue;
                }
                int eq = content.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException(path.toString(), i + 1, null, "expected 'key = value', got '" + content + "'");
                }
                String key = content.substring(0, eq).strip();
                if (!KEYS.containsKey(key)) {
                    throw new ConfigException(path.toString(), i + 1, key, "unknown key (see qx-node --help)");
                }
                if (!seen.add(key)) {
                    throw new ConfigException(path.toString(), i + 1, key, "given twice");
                }
                values.put(key, new Origin(content.substring(eq + 1).strip(), path.toString(), i + 1));
            }
        }
        for (var f : flags.entrySet()) {
            if (!KEYS.containsKey(f.getKey())) {
                throw new ConfigException("command line", 0, "--" + f.getKey(), "unknown flag (see qx-node --help)");
            }
            values.put(f.getKey(), new Origin(f.getValue(), "command line --" + f.getKey(), 0));
        }
        return build(values);
    }

    private static NodeConfig build(Map<String, Origin> v) throws ConfigException {
        String listen = v.get("api.listen").value();
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw bad(v, "api.listen", "expected address:port, e.g. 127.0.0.1:8710");
        }
        String bind = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = (int) number(v, "api.listen", listen.substring(colon + 1), 0, 65535);
        String token = null;
        String tokenFile = v.get("api.token_file").value();
        if (!tokenFile.isEmpty()) {
            try {
                token = Files.readString(Path.of(tokenFile)).strip();
            } catch (IOException e) {
                throw bad(v, "api.token_file", "cannot read " + tokenFile + ": " + e.getMessage());
            }
            if (token.isEmpty()) {
                throw bad(v, "api.token_file", tokenFile + " is empty");
            }
        }
        Duration reconnectMin = duration(v, "reconnect.min");
        Duration reconnectMax = duration(v, "reconnect.max");
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw bad(v, "reconnect.max", "is smaller than reconnect.min");
        }
        Duration heartbeat = duration(v, "heartbeat.interval");
        Duration unresponsive = duration(v, "heartbeat.unresponsive_after");
        if (unresponsive.compareTo(heartbeat) <= 0) {
            throw bad(v, "heartbeat.unresponsive_after", "must be longer than heartbeat.interval");
        }
        int maxPayload = (int) number(v, "channel.max_payload", 4096, 16 << 20);
        int outbound = (int) number(v, "channel.outbound_capacity", 4096, 256 << 20);
        if (outbound < maxPayload) {
            throw bad(v, "channel.outbound_capacity", "must hold at least one channel.max_payload");
        }
        return new NodeConfig(Path.of(nonEmpty(v, "socket_dir")), duration(v, "rescan.interval"), heartbeat,
                unresponsive, duration(v, "served.check"), duration(v, "hello.retry"), reconnectMin, reconnectMax,
                duration(v, "request.timeout"), (int) number(v, "telemetry.history", 1, 100_000),
                duration(v, "telemetry.stale_after"), maxPayload, outbound, bind, port, token,
                (int) number(v, "api.max_body", 1024, 1 << 30), (int) number(v, "api.threads", 1, 256),
                duration(v, "probe.timeout"));
    }

    private static String nonEmpty(Map<String, Origin> v, String key) throws ConfigException {
        String s = v.get(key).value();
        if (s.isEmpty()) {
            throw bad(v, key, "must not be empty");
        }
        return s;
    }

    private static long number(Map<String, Origin> v, String key, long min, long max) throws ConfigException {
        return number(v, key, v.get(key).value(), min, max);
    }

    private static long number(Map<String, Origin> v, String key, String text, long min, long max)
            throws ConfigException {
        try {
            long n = Long.parseLong(text);
            if (n < min || n > max) {
                throw bad(v, key, "'" + text + "' is outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(v, key, "'" + text + "' is not a whole number");
        }
    }

    /** "250ms", "5s", "2m", "1h"; positive. */
    private static Duration duration(Map<String, Origin> v, String key) throws ConfigException {
        String s = v.get(key).value();
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw bad(v, key, "'" + s + "' is not a duration like 250ms, 5s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw bad(v, key, "must be more than 0");
        }
        return d;
    }

    private static ConfigException bad(Map<String, Origin> v, String key, String problem) {
        Origin o = v.get(key);
        return new ConfigException(o.source(), o.line(), key, problem);
    }
}
