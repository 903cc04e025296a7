package org.turnoutstream.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What a logger (and the loggers under it) wrote while a test ran, as "LEVEL message" lines: the log an operator reads,
 * for tests that assert its shape. Close it to stop capturing.
 */
public final class CapturedLog implements AutoCloseable {
    private final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final AbstractAppender appender;

    private CapturedLog(String loggerName) {
        this.logger = (Logger) LogManager.getLogger(loggerName);
        this.appender = new AbstractAppender("captured-" + loggerName + "-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                events.add(event.toImmutable());
            }
        };
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures what {@code loggerName} logs from now on; "" for the root logger (everything). */
    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName);
    }

    /** Every line so far, "LEVEL message". */
    public List<String> lines() {
        return lines(e -> true);
    }

    /** The lines of one level, messages only. */
    public List<String> messages(Level level) {
        return events.stream().filter(e -> e.getLevel() == level).map(e -> e.getMessage().getFormattedMessage()).toList();
    }

    /** The lines at WARN or above (ERROR, FATAL), "LEVEL logger - message". */
    public List<String> warningsAndErrors() {
        return events.stream().filter(e -> e.getLevel().isMoreSpecificThan(Level.WARN))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getMessage().getFormattedMessage()).toList();
    }

    private List<String> lines(Predicate<LogEvent> which) {
        return events.stream().filter(which).map(e -> e.getLevel() + " " + e.getMessage().getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        logger.removeAppender(appender);
        appender.stop();
    }
}
