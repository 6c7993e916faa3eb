package io.qtx.agent.config;

import io.qtx.kit.config.KeyTable;

/**
 * Every key of the agent's configuration with its default and one line of help; the file, the
 * flags and {@code --help} are all driven by this one table.
 */
public final class ConfigKeys {

    /** The table; "quantix-kvm-agent" is whose --help an error points to. */
    public static final KeyTable TABLE = new KeyTable("quantix-kvm-agent");

    static {
        TABLE.add("port", "org.quantix.agent.0",
                "the virtio port: a name (found in /sys/class/virtio-ports), a /dev path, or unix:/path");
        TABLE.add("telemetry.interval", "5s", "time between telemetry reports, at least 1s; 0 turns telemetry off");
        TABLE.add("write.timeout", "5s", "a write not taken by the host within this long counts as a timeout");
        TABLE.add("outbound.capacity", "4194304", "bytes of frames queued for the host (at least 1 MiB + 64); telemetry is dropped beyond it");
        TABLE.add("requests.allow", "*", "request kinds the host may use (comma list, * for all), e.g. ping,system_info,exec");
        TABLE.add("requests.deny", "", "request kinds refused even if allowed (deny wins)");
        TABLE.add("exec.enabled", "true", "false refuses every exec request");
        TABLE.add("exec.max_output", "1048576", "ceiling on captured stdout and on stderr, in bytes; the host cannot raise it");
        TABLE.add("exec.default_output", "1048576", "captured output per stream when the request gives none");
        TABLE.add("exec.max_timeout", "1h", "ceiling on an exec's run time");
        TABLE.add("files.read_paths", "/", "directories whose contents the host may read (comma list)");
        TABLE.add("files.write_paths", "/", "directories whose contents the host may change (comma list)");
        TABLE.add("files.deny_paths", "", "directories the host may neither read nor change (wins over the two above)");
        TABLE.add("files.max_chunk", "1048576", "largest file chunk read or written in one request, in bytes");
        TABLE.add("files.upload_idle", "10m", "an upload with no chunk for this long is dropped with its temporary file");
        TABLE.add("files.upload_journal", "/var/lib/quantix-kvm-agent/uploads",
                "where the agent notes each upload's temporary file, to remove those a restart left behind");
        TABLE.add("fsfreeze.max_thaw", "10m", "longest a quiesce may keep filesystems frozen");
        TABLE.add("workers", "4", "threads for blocking work (exec, files, fsfreeze); requests beyond queue");
        TABLE.add("workers.queue", "64", "requests waiting for a worker before new ones are refused");
    }

    private ConfigKeys() {
    }
}
