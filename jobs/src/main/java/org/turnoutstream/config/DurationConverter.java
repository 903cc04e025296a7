package org.turnoutstream.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Reads durations the way operators write them: 500ms, 10s, 5m, 1h, 2d, or ISO-8601 (PT10S). The turnout command's
 * picocli options read them with this too ({@code cli.DurationTypeConverter}).
 */
public final class DurationConverter {
    private DurationConverter() {}

    /** @throws IllegalArgumentException {@code 'ten' is not a duration (examples: ...)} */
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
        throw new IllegalArgumentException("'" + value + "' is not a duration (examples: 500ms, 10s, 5m, 1h, PT10S)");
    }
}
