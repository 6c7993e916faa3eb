package io.qtx.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.node.NodeConfig;

/** The config file: format, defaults, flags over file, and errors that name file, line and key. */
class ConfigFileTest {

    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        Path p = dir.resolve("node.conf");
        Files.writeString(p, text);
        return p;
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
        Path token = dir.resolve("token");
        Files.writeString(token, "abc\n");
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
        assertEquals("abc", c.token());
        assertEquals(Duration.ofSeconds(2), c.heartbeatInterval());
        assertEquals(Duration.ofMinutes(1), c.unresponsiveAfter());
        assertEquals(Duration.ofMillis(250), c.backoffMin());
        assertEquals(20, c.historySize());
    }

    @Test
    void errorsNameTheFileTheLineAndTheKey() throws Exception {
        assertEquals("FILE:2: bogus: unknown key (see qx-node --help)", error("\nbogus = 1\n", Map.of()));
        assertEquals("FILE:1: expected 'key = value', got 'socket_dir'", error("socket_dir\n", Map.of()));
        assertEquals("FILE:2: socket_dir: given twice", error("socket_dir = /a\nsocket_dir = /b\n", Map.of()));
        assertEquals("FILE:1: heartbeat.interval: '5 seconds' is not a duration like 250ms, 5s, 2m or 1h",
                error("heartbeat.interval = 5 seconds\n", Map.of()));
        assertEquals("FILE:1: telemetry.history: '0' is outside 1..100000", error("telemetry.history = 0\n", Map.of()));
        assertEquals("FILE:1: api.listen: expected address:port, e.g. 127.0.0.1:8710", error("api.listen = 8710\n", Map.of()));
        assertEquals("FILE:1: heartbeat.unresponsive_after: must be longer than heartbeat.interval",
                error("heartbeat.unresponsive_after = 1s\n", Map.of()));
        assertEquals("command line --telemetry.history: telemetry.history: 'x' is not a whole number",
                error("", Map.of("telemetry.history", "x")));
        assertEquals("command line: --nope: unknown flag (see qx-node --help)", error("", Map.of("nope", "1")));
        assertEquals(dir.resolve("absent") + ": no such file", assertThrows(ConfigException.class,
                () -> ConfigFile.load(dir.resolve("absent"), true, Map.of())).getMessage());
    }

    @Test
    void aMissingDefaultFileIsFine() throws Exception {
        assertEquals(NodeConfig.defaults(), ConfigFile.load(dir.resolve("absent"), false, Map.of()));
    }
}
