package org.turnoutstream.cli;

import org.turnoutstream.config.DurationConverter;
import picocli.CommandLine;

import java.time.Duration;

/** Picocli reads durations as the job does ({@link DurationConverter}: 500ms, 10s, 5m, 1h, PT10S), with its message when one does not read. */
public final class DurationTypeConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return DurationConverter.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
