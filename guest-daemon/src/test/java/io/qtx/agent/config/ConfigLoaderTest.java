package io.qtx.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qtx.kit.config.CommandLine;
import io.qtx.kit.config.ConfigException;
import io.qtx.kit.config.KeyTable;
import io.qtx.proto.RequestKind;

/** The agent's keys and their checks; the file format and the flag loop are the daemon kit's (its tests). */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("agent.conf"), text);
    }

    @Test
    void defaultsWhenNothingIsGiven() throws Exception {
        AgentConfig c = ConfigLoader.load(new String[] {"--config", file("").toString()}).config();
        assertEquals("org.quantix.agent.0", c.port());
        assertEquals(Duration.ofSeconds(5), c.telemetryInterval());
        assertEquals(Duration.ofSeconds(5), c.writeTimeout());
        assertEquals(1 << 20, c.execMaxOutput());
        assertTrue(c.execEnabled());
        assertEquals(RequestKinds.ALL, c.allowed());
    }

    @Test
    void fileValuesAndCommentsAreRead() throws Exception {
        Path f = file("""
                # the agent
                port = unix:/run/x.sock   # trailing comment

                telemetry.interval = 1500ms
                exec.enabled = no
                requests.allow = system_info, exec ,file_read
                requests.deny = exec
                files.read_paths = /tmp,/var/log
                """);
        AgentConfig c = ConfigLoader.load(new String[] {"--config", f.toString()}).config();
        assertEquals("unix:/run/x.sock", c.port());
        assertEquals(Duration.ofMillis(1500), c.telemetryInterval());
        assertFalse(c.execEnabled());
        assertEquals(java.util.Set.of(RequestKind.REQUEST_KIND_SYSTEM_INFO, RequestKind.REQUEST_KIND_FILE_READ),
                c.allowed());
        assertEquals(java.util.List.of(Path.of("/tmp"), Path.of("/var/log")), c.readPaths());
    }

    @Test
    void flagsOverrideTheFile() throws Exception {
        Path f = file("port = a\ntelemetry.interval = 2m\n");
        AgentConfig c = ConfigLoader.load(new String[] {"--config=" + f, "--port", "b", "--telemetry.interval=7"})
                .config();
        assertEquals("b", c.port());
        assertEquals(Duration.ofSeconds(7), c.telemetryInterval());
    }

    @Test
    void badValueNamesKeyAndLine() throws Exception {
        Path f = file("port = a\n\n# x\nwrite.timeout = soon\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", f.toString()}));
        assertEquals("write.timeout", e.key());
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains(f + ":4: write.timeout: 'soon'"), e.getMessage());
    }

    @Test
    void telemetryBelowOneSecondIsRefusedButZeroTurnsItOff() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", file("telemetry.interval = 500ms\n").toString()}));
        assertEquals("telemetry.interval", e.key());
        AgentConfig off = ConfigLoader.load(new String[] {"--config", file("telemetry.interval = 0\n").toString()})
                .config();
        assertTrue(off.telemetryInterval().isZero());
    }

    @Test
    void unknownRequestNameAndRelativePathAreRefused() throws Exception {
        ConfigException kind = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", file("requests.allow = exec,reboot\n").toString()}));
        assertTrue(kind.getMessage().contains("unknown request 'reboot'"), kind.getMessage());
        ConfigException path = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", file("files.read_paths = /a/../b\n").toString()}));
        assertEquals("files.read_paths", path.key());
    }

    @Test
    void helpNamesEveryKey() throws Exception {
        assertEquals(CommandLine.Action.HELP, ConfigLoader.load(new String[] {"--port=x", "--help"}).action());
        String help = ConfigLoader.help();
        for (KeyTable.Key key : ConfigKeys.TABLE.all()) {
            assertTrue(help.contains("--" + key.name() + "="), key.name());
        }
    }

    @Test
    void outputDefaultAboveCeilingIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(
                new String[] {"--config", "/dev/null", "--exec.max_output=10", "--exec.default_output=20"}));
        assertEquals("exec.default_output", e.key());
    }

    @Test
    void theShippedExampleParses() throws Exception {
        AgentConfig c = ConfigLoader.load(new String[] {"--config", "packaging/agent.conf.example"}).config();
        assertEquals(java.util.List.of(Path.of("/etc/shadow"), Path.of("/etc/gshadow")), c.denyPaths());
    }

    @Test
    void theShippedExampleNamesEveryKeyWithItsDefault() throws Exception {
        java.util.Map<String, String> written = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("packaging/agent.conf.example"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                written.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        for (KeyTable.Key key : ConfigKeys.TABLE.all()) {
            assertTrue(written.containsKey(key.name()), "agent.conf.example lacks " + key.name());
            if (!key.name().equals("files.deny_paths")) {
                assertEquals(key.defaultValue(), written.get(key.name()), key.name() + " in agent.conf.example");
            }
        }
    }
}
