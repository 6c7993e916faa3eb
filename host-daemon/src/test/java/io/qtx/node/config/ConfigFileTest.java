package io.qtx.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.kit.config.ConfigException;
import io.qtx.node.NodeConfig;

/**
 * qx-node's keys: defaults, flags over file, and its values' errors naming file, line and key. The
 * file format and the flag loop are the daemon kit's (its tests).
 */
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        return Files.writeString(dir.resolve("node.conf"), text);
    }

    private String error(String text, Map<String, String> flags) throws Exception {
        Path p = write(text);
        return assertThrows(ConfigException.class, () -> ConfigFile.load(p, true, flags)).getMessage()
                .replace(p.toString(), "FILE");
    }

    @Test
    void anEmptyFileMeansTheDefaults() throws Exception {
        NodeConfig c = ConfigFile.load(write("# nothing\n\n"), true, Map.of());
        NodeConfig d = NodeConfig.defaults();
        assertEquals(d, c);
        assertEquals("127.0.0.1", c.httpBind());
        assertNull(c.token());
    }

    @Test
    void fileValuesAndFlagsOverThem() throws Exception {
        Path token = secret("abcdefghijklmnop0123\n", "rw-------");
        NodeConfig c = ConfigFile.load(write("""
                socket_dir = /srv/vms   # where libvirt puts them
                api.listen = 0.0.0.0:9000
                api.token_file = %s
                heartbeat.interval = 2s
                heartbeat.unresponsive_after = 1m
                reconnect.min = 250ms
                telemetry.history = 10
                probe.timeout = 5s
                """.formatted(token)), true, Map.of("api.listen", "127.0.0.1:0", "telemetry.history", "20"));
        assertEquals(Path.of("/srv/vms"), c.socketDir());
        assertEquals(java.time.Duration.ofSeconds(5), c.probeTimeout());
        assertEquals("127.0.0.1", c.httpBind());
        assertEquals(0, c.httpPort());
        assertEquals("abcdefghijklmnop0123", c.token());
        assertEquals(Duration.ofSeconds(2), c.heartbeatInterval());
        assertEquals(Duration.ofMinutes(1), c.unresponsiveAfter());
        assertEquals(Duration.ofMillis(250), c.backoffMin());
        assertEquals(20, c.historySize());
    }

    @Test
    void errorsNameTheFileTheLineAndTheKey() throws Exception {
        assertEquals("FILE:1: heartbeat.interval: '5 seconds' is not a duration like 250ms, 5s, 2m or 1h",
                error("heartbeat.interval = 5 seconds\n", Map.of()));
        assertEquals("FILE:1: telemetry.history: '0' is outside 1..100000", error("telemetry.history = 0\n", Map.of()));
        assertEquals("FILE:1: served.check: must be more than 0", error("served.check = 0s\n", Map.of()));
        assertEquals("FILE:1: api.listen: expected address:port, e.g. 127.0.0.1:8710", error("api.listen = 8710\n", Map.of()));
        assertEquals("FILE:1: heartbeat.unresponsive_after: must be longer than heartbeat.interval",
                error("heartbeat.unresponsive_after = 1s\n", Map.of()));
        assertEquals("command line --telemetry.history: telemetry.history: 'x' is not a whole number",
                error("", Map.of("telemetry.history", "x")));
    }

    private Path secret(String text, String mode) throws Exception {
        Path p = dir.resolve("token");
        Files.deleteIfExists(p);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void theApiBeyondLoopbackNeedsAnOwnerOnlyTokenFileNamedExplicitly() throws Exception {
        assertEquals("FILE:2: api.listen: '0.0.0.0:9000' is reachable from other hosts: set api.token_file to a file only"
                + " its owner can read (mode 0600) first (see host-daemon/README.md)",
                error("# exposed\napi.listen = 0.0.0.0:9000\n", Map.of()));
        assertEquals("command line --api.listen: api.listen: '192.0.2.1:9000' is reachable from other hosts: set "
                + "api.token_file to a file only its owner can read (mode 0600) first (see host-daemon/README.md)",
                error("", Map.of("api.listen", "192.0.2.1:9000")));
        Path token = secret("abcdefghijklmnop0123\n", "rw-r-----");
        String groupReadable = error("api.listen = 0.0.0.0:9000\napi.token_file = " + token + "\n", Map.of());
        assertTrue(groupReadable.startsWith("FILE:2: api.token_file: " + token + " has mode rw-r-----: with api.listen "
                + "beyond loopback only its owner may read it"), groupReadable);
        assertEquals("abcdefghijklmnop0123", ConfigFile.load(write("api.token_file = " + token + "\n"), true, Map.of())
                .token(), "on loopback its group may read it (the qxctl group)");
        secret("abcdefghijklmnop0123\n", "rw-------");
        NodeConfig exposed = ConfigFile.load(write("api.listen = 0.0.0.0:9000\napi.token_file = " + token + "\n"), true,
                Map.of());
        assertEquals("abcdefghijklmnop0123", exposed.token());
        NodeConfig fresh = ConfigFile.load(write("api.listen = 0.0.0.0:9000\napi.token_file = " + dir.resolve("new")
                + "\n"), true, Map.of());
        assertNull(fresh.token(), "a missing file is created, owner-only, on first start");
    }

    @Test
    void aTokenFileOthersCanReadOrThatIsTooShortIsRefused() throws Exception {
        Path token = secret("abcdefghijklmnop0123\n", "rw-r--r--");
        assertTrue(error("api.token_file = " + token + "\n", Map.of()).startsWith("FILE:1: api.token_file: " + token
                + " has mode rw-r--r--: others may read or change it"));
        secret("short\n", "rw-------");
        assertTrue(error("api.token_file = " + token + "\n", Map.of()).endsWith("holds 5 characters; a token needs at "
                + "least 16"));
        secret("\n", "rw-------");
        assertTrue(error("api.token_file = " + token + "\n", Map.of()).endsWith(token + " is empty"));
        assertEquals("FILE:1: api.metrics_public: 'yes' is neither true nor false", error("api.metrics_public = yes\n",
                Map.of()));
    }

    @Test
    void apiAccessKeys() throws Exception {
        NodeConfig c = ConfigFile.load(write("""
                api.allowed_hosts = node7.example, [fd00::7], LOCALHOST
                api.metrics_public = true
                api.header_timeout = 2s
                api.body_timeout = 5s
                api.max_connections = 100
                api.max_connections_per_client = 10
                """), true, Map.of());
        assertEquals(java.util.List.of("node7.example", "fd00::7", "localhost"), c.access().allowedHosts());
        assertTrue(c.access().metricsPublic());
        assertEquals(Duration.ofSeconds(2), c.access().headerTimeout());
        assertEquals(Duration.ofSeconds(5), c.access().bodyTimeout());
        assertEquals(100, c.access().maxConnections());
        assertEquals(10, c.access().maxConnectionsPerClient());
        assertEquals("FILE:1: api.max_connections_per_client: is larger than api.max_connections",
                error("api.max_connections_per_client = 1000\n", Map.of()));
    }

    @Test
    void aMissingDefaultFileIsFine() throws Exception {
        assertEquals(NodeConfig.defaults(), ConfigFile.load(dir.resolve("absent"), false, Map.of()));
    }
}
