package io.qtx.kit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file format both daemons read, flags over the file, and errors as FILE:LINE: key: problem. */
class ConfigReaderTest {

    private static final KeyTable KEYS = new KeyTable("demo-daemon")
            .add("name", "first", "a name")
            .add("count", "3", "a number");

    @TempDir
    Path dir;

    private Path conf(String text) throws Exception {
        return Files.writeString(dir.resolve("demo.conf"), text);
    }

    /** What the parser says of {@code text} read as the file called FILE. */
    private static String refusal(String text) {
        return assertThrows(ConfigException.class, () -> ConfigReader.parse(KEYS, "FILE", text.lines().toList()))
                .getMessage();
    }

    @Test
    void defaultsThenTheFileThenTheFlags() throws Exception {
        ConfigValues none = ConfigReader.read(KEYS, conf("# only a comment\n\n"), true, Map.of());
        assertEquals("first", none.text("name"));
        assertTrue(none.isDefault("name"));
        ConfigValues file = ConfigReader.read(KEYS, conf("  name = second   # trailing comment\ncount=4\n"), true,
                Map.of());
        assertEquals("second", file.text("name"));
        assertFalse(file.isDefault("name"));
        assertEquals(4, file.integer("count", 0, 10));
        ConfigValues flags = ConfigReader.read(KEYS, conf("name = second\n"), true, Map.of("name", "third"));
        assertEquals("third", flags.text("name"));
    }

    @Test
    void structuralErrorsNameTheFileTheLineAndTheKey() throws Exception {
        assertEquals("FILE:2: bogus: unknown key (see demo-daemon --help)", refusal("\nbogus = 1\n"));
        assertEquals("FILE:1: expected 'key = value', got 'name'", refusal("name\n"));
        assertEquals("FILE:1: expected 'key = value', got '= 1'", refusal("= 1\n"));
        assertEquals("FILE:2: name: given twice (already set on line 1)", refusal("name = a\nname = b\n"));
        assertEquals("command line: --nope: unknown flag (see demo-daemon --help)", assertThrows(ConfigException.class,
                () -> ConfigReader.read(KEYS, dir.resolve("absent.conf"), false, Map.of("nope", "1"))).getMessage());
        ConfigException line = assertThrows(ConfigException.class,
                () -> ConfigReader.read(KEYS, conf("\n\nbogus = 1\n"), true, Map.of()));
        assertEquals(3, line.line());
        assertEquals("bogus", line.key());
    }

    @Test
    void aValueErrorNamesWhereTheValueWasWritten() throws Exception {
        ConfigValues file = ConfigReader.read(KEYS, conf("name = a\n\ncount = many\n"), true, Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> file.integer("count", 0, 10));
        assertEquals(conf("") + ":3: count: 'many' is not a whole number", e.getMessage());
        assertEquals(3, e.line());
        ConfigValues flag = ConfigReader.read(KEYS, conf(""), true, Map.of("count", "11"));
        assertEquals("command line --count: count: '11' is outside 0..10",
                assertThrows(ConfigException.class, () -> flag.integer("count", 0, 10)).getMessage());
    }

    @Test
    void anAbsentFileIsAnErrorOnlyWhenNamed() throws Exception {
        Path absent = dir.resolve("absent.conf");
        assertEquals(absent + ": no such file", assertThrows(ConfigException.class,
                () -> ConfigReader.read(KEYS, absent, true, Map.of())).getMessage());
        assertEquals("first", ConfigReader.read(KEYS, absent, false, Map.of()).text("name"));
    }

    @Test
    void peekReadsOneKeyWithoutJudgingTheRest() throws Exception {
        Path file = conf("bogus line\nname = peeked # comment\nunknown = 1\n");
        assertEquals("peeked", ConfigReader.peek(KEYS, file, "name"));
        assertEquals("3", ConfigReader.peek(KEYS, file, "count"));
        assertEquals("first", ConfigReader.peek(KEYS, dir.resolve("absent.conf"), "name"));
    }
}
