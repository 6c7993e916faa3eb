package io.qtx.kit.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every key's value with where it was written, and the typed readers both daemons use. A
 * reader that refuses a value throws a {@link ConfigException} naming the value's file and
 * line (or flag) and its key, so a daemon's own checks read like its type's.
 */
public final class ConfigValues {

    /** The source of a value nobody set. */
    static final String DEFAULT = "default";

    /** "250ms", "5s", "2m", "1h"; a bare number is seconds. */
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    /** A value and where it was written: a file and line, a flag or the default (line 0). */
    public record Origin(String value, String source, int line) {
    }

    private final Map<String, Origin> values;

    ConfigValues(Map<String, Origin> values) {
        this.values = Map.copyOf(values);
    }

    /** Every key of {@code keys} at its default. */
    public static ConfigValues defaults(KeyTable keys) {
        Map<String, Origin> values = new LinkedHashMap<>();
        keys.all().forEach(k -> values.put(k.name(), new Origin(k.defaultValue(), DEFAULT, 0)));
        return new ConfigValues(values);
    }

    private Origin origin(String key) {
        Origin o = values.get(key);
        if (o == null) {
            throw new IllegalArgumentException("no key " + key + " in the table");
        }
        return o;
    }

    /** The value as written. */
    public String text(String key) {
        return origin(key).value();
    }

    /** True when neither the file nor a flag set {@code key}. */
    public boolean isDefault(String key) {
        return origin(key).source().equals(DEFAULT);
    }

    /** An error at where {@code key} was written. */
    public ConfigException error(String key, String problem) {
        Origin o = origin(key);
        return new ConfigException(o.source(), o.line(), key, problem);
    }

    public String nonEmpty(String key) throws ConfigException {
        String s = text(key);
        if (s.isEmpty()) {
            throw error(key, "must not be empty");
        }
        return s;
    }

    public long integer(String key, long min, long max) throws ConfigException {
        return integer(key, text(key), min, max);
    }

    /** {@code text}, a part of {@code key}'s value, as a whole number in [min, max]. */
    public long integer(String key, String text, long min, long max) throws ConfigException {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw error(key, "'" + text + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw error(key, "'" + text + "' is outside " + min + ".." + max);
        }
        return n;
    }

    /** true/yes/on/1 or false/no/off/0, in any case. */
    public boolean bool(String key) throws ConfigException {
        String s = text(key);
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw error(key, "'" + s + "' is not a boolean (true/false)");
        };
    }

    /** A duration of 0 or more: "250ms", "5s", "2m", "1h", or a bare number of seconds. */
    public Duration duration(String key) throws ConfigException {
        String s = text(key);
        Matcher m = DURATION.matcher(s.strip().toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            // reported below, like any other text that is not a duration
        }
        throw error(key, "'" + s + "' is not a duration like 250ms, 5s, 2m or 1h");
    }

    /** A duration more than 0. */
    public Duration positive(String key) throws ConfigException {
        Duration d = duration(key);
        if (d.isZero()) {
            throw error(key, "must be more than 0");
        }
        return d;
    }

    /** A comma-separated list, each item stripped, empty items left out. */
    public List<String> list(String key) {
        List<String> out = new ArrayList<>();
        for (String part : text(key).split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }
}
