package io.qtx.kit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The typed readers: durations, booleans, numbers, lists, and what each refuses. */
class ConfigValuesTest {

    private static final KeyTable KEYS = new KeyTable("demo-daemon").add("v", "", "a value");

    private static ConfigValues of(String value) throws ConfigException {
        return ConfigReader.read(KEYS, java.nio.file.Path.of("/nonexistent/demo.conf"), false, Map.of("v", value));
    }

    private static String refusal(ConfigReading reading) {
        return assertThrows(ConfigException.class, reading::read).getMessage();
    }

    private interface ConfigReading {
        void read() throws ConfigException;
    }

    @Test
    void durationsTakeUnitsOrBareSeconds() throws Exception {
        assertEquals(Duration.ofMillis(250), of("250ms").duration("v"));
        assertEquals(Duration.ofSeconds(5), of(" 5S ").duration("v"));
        assertEquals(Duration.ofMinutes(2), of("2m").duration("v"));
        assertEquals(Duration.ofHours(1), of("1h").duration("v"));
        assertEquals(Duration.ofSeconds(7), of("7").duration("v"));
        assertEquals(Duration.ZERO, of("0").duration("v"));
        for (String bad : List.of("soon", "-1s", "5 seconds", "1d", "", "99999999999999999999h")) {
            assertEquals("command line --v: v: '" + bad + "' is not a duration like 250ms, 5s, 2m or 1h",
                    refusal(() -> of(bad).duration("v")), bad);
        }
        assertEquals("command line --v: v: must be more than 0", refusal(() -> of("0ms").positive("v")));
    }

    @Test
    void booleansNumbersListsAndEmptiness() throws Exception {
        assertTrue(of("Yes").bool("v"));
        assertFalse(of("off").bool("v"));
        assertEquals("command line --v: v: 'maybe' is not a boolean (true/false)", refusal(() -> of("maybe").bool("v")));
        assertEquals(-5, of("-5").integer("v", -10, 10));
        assertEquals("command line --v: v: '11' is outside -10..10", refusal(() -> of("11").integer("v", -10, 10)));
        assertEquals(List.of("a", "b c"), of(" a,, b c ,").list("v"));
        assertEquals("command line --v: v: must not be empty", refusal(() -> of("").nonEmpty("v")));
        assertEquals("x", of("x").nonEmpty("v"));
    }

    @Test
    void defaultsAreEveryKeyAtItsDefault() {
        ConfigValues d = ConfigValues.defaults(new KeyTable("demo-daemon").add("a", "1", "").add("b", "", ""));
        assertEquals("1", d.text("a"));
        assertTrue(d.isDefault("b"));
        assertThrows(IllegalArgumentException.class, () -> d.text("c"));
    }
}
