package org.turnoutstream.config;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** Reads durations the way operators write them: 500ms, 10s, 5m, 2h, or ISO-8601 (PT10S). */
public class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("0")) return Duration.ZERO;
        try {
            if (v.startsWith("pt") || v.startsWith("p")) return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            long amount = Long.parseLong(v.substring(0, v.length() - 1).trim());
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(amount);
                case 'm': return Duration.ofMinutes(amount);
                case 'h': return Duration.ofHours(amount);
                case 'd': return Duration.ofDays(amount);
                default: break;
            }
        } catch (RuntimeException ignored) {
            // fall through to the clear message below
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (examples: 500ms, 10s, 5m, 1h, PT10S)");
    }
}
