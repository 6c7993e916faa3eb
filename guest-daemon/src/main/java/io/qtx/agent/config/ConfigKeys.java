package io.qtx.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every configuration key with its default and one line of help. The file, the flags and
 * {@code --help} are all driven by this table, so a key cannot be known to one and not the others.
 */
public final class ConfigKeys {

    /** One key: its default (as text, parsed like file text) and what it does. */
    public record Key(String name, String defaultValue, String help) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        add("port", "org.quantix.agent.0",
                "the virtio port: a name (found in /sys/class/virtio-ports), a /dev path, or unix:/path");
        add("telemetry.interval", "5s", "time between telemetry reports, at least 1s; 0 turns telemetry off");
        add("write.timeout", "5s", "a write not taken by the host within this long counts as a timeout");
        add("outbound.capacity", "4194304", "bytes of frames queued for the host (at least 1 MiB + 64); telemetry is dropped beyond it");
        add("requests.allow", "*", "request kinds the host may use (comma list, * for all), e.g. ping,system_info,exec");
        add("requests.deny", "", "request kinds refused even if allowed (deny wins)");
        add("exec.enabled", "true", "false refuses every exec request");
        add("exec.max_output", "1048576", "ceiling on captured stdout and on stderr, in bytes; the host cannot raise it");
        add("exec.default_output", "1048576", "captured output per stream when the request gives none");
        add("exec.max_timeout", "1h", "ceiling on an exec's run time");
        add("files.read_paths", "/", "directories whose contents the host may read (comma list)");
        add("files.write_paths", "/", "directories whose contents the host may change (comma list)");
        add("files.deny_paths", "", "directories the host may neither read nor change (wins over the two above)");
        add("files.max_chunk", "1048576", "largest file chunk read or written in one request, in bytes");
        add("files.upload_idle", "10m", "an upload with no chunk for this long is dropped with its temporary file");
        add("files.upload_journal", "/var/lib/quantix-kvm-agent/uploads",
                "where the agent notes each upload's temporary file, to remove those a restart left behind");
        add("fsfreeze.max_thaw", "10m", "longest a quiesce may keep filesystems frozen");
        add("workers", "4", "threads for blocking work (exec, files, fsfreeze); requests beyond queue");
        add("workers.queue", "64", "requests waiting for a worker before new ones are refused");
    }

    private ConfigKeys() {
    }

    private static void add(String name, String defaultValue, String help) {
        KEYS.put(name, new Key(name, defaultValue, help));
    }

    /** The key called {@code name}, or null. */
    public static Key find(String name) {
        return KEYS.get(name);
    }

    public static Iterable<Key> all() {
        return KEYS.values();
    }

    /** Every key at its default. */
    public static Map<String, String> defaults() {
        Map<String, String> values = new LinkedHashMap<>();
        KEYS.values().forEach(k -> values.put(k.name(), k.defaultValue()));
        return values;
    }
}
