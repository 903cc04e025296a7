package org.turnoutstream.events;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;

/**
 * Counts dead letters in the {@code dead_letters} metric and logs one summary line per 10 s at most:
 * a flood of bad records must not flood the log, and an expected bad record gets no stack trace.
 */
final class DeadLetterReporter {
    private static final long LOG_INTERVAL_MILLIS = 10_000;

    private final Counter rejected;
    private final Logger log;
    private final String what;
    private long lastLog;
    private long sinceLog;

    /** @param what the kind of record, for the log line ("record", "connectivity record") */
    DeadLetterReporter(MetricGroup metrics, Logger log, String what) {
        this.rejected = metrics.counter("dead_letters");
        this.log = log;
        this.what = what;
    }

    void report(DeadLetter letter) {
        rejected.inc();
        sinceLog++;
        long now = System.currentTimeMillis();
        if (now - lastLog >= LOG_INTERVAL_MILLIS) {
            log.warn("{} {}(s) sent to the dead-letter topic in the last interval; latest: {} at {}: {}",
                    sinceLog, what, letter.reason, letter.record.coordinates(), letter.detail);
            lastLog = now;
            sinceLog = 0;
        }
    }
}
