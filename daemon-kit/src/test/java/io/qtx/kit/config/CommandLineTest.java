package io.qtx.kit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The one flag loop: actions, --config, the daemon's switches, both spellings of a setting. */
class CommandLineTest {

    private static final KeyTable KEYS = new KeyTable("demo-daemon").add("name", "first", "a name");

    private static CommandLine parse(String... args) throws ConfigException {
        return CommandLine.parse(args, KEYS, Set.of("--check"));
    }

    @Test
    void settingsBothSpellingsConfigAndSwitches() throws Exception {
        CommandLine line = parse("--config=/etc/demo.conf", "--name", "a b", "--check", "--other=x=y");
        assertEquals(CommandLine.Action.RUN, line.action());
        assertEquals(Path.of("/etc/demo.conf"), line.configFile());
        assertEquals(Map.of("name", "a b", "other", "x=y"), line.flags(), "keys are the reader's to judge");
        assertTrue(line.has("--check"));
        CommandLine plain = parse("--config", "/x.conf");
        assertEquals(Path.of("/x.conf"), plain.configFile());
        assertFalse(plain.has("--check"));
        assertNull(parse().configFile());
    }

    @Test
    void helpAndVersionAreActions() throws Exception {
        assertEquals(CommandLine.Action.HELP, parse("--name=x", "--help").action());
        assertEquals(CommandLine.Action.HELP, parse("-h").action());
        assertEquals(CommandLine.Action.VERSION, parse("--version").action());
    }

    @Test
    void aStrayWordOrAFlagWithoutValueIsAnError() {
        assertEquals("command line: unexpected argument 'name' (see demo-daemon --help)",
                assertThrows(ConfigException.class, () -> parse("name")).getMessage());
        ConfigException noValue = assertThrows(ConfigException.class, () -> parse("--name"));
        assertEquals("command line: --name: needs a value", noValue.getMessage());
        assertEquals("--name", noValue.key());
        assertEquals(0, noValue.line());
    }
}
