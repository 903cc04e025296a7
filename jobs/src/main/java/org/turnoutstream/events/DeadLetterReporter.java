package org.turnoutstream.events;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counts dead letters in the {@code dead_letters} metric (and per reason, {@code dead_letters_<REASON>}) and logs them as
 * summaries: the first dead letter after a quiet interval at once, the ones after it every interval (10 s), counted per
 * reason, with the latest one's coordinates and detail. Nothing waits for the next dead letter to be told: a summary
 * still owed is written when the interval ends (a timer thread shared by the decoders of this JVM) or when the
 * decoder closes. A flood of bad records does not flood the log, and an expected bad record gets no stack trace.
 */
final class DeadLetterReporter implements AutoCloseable {
    static final long LOG_INTERVAL_MILLIS = 10_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dead-letter-summaries");
        t.setDaemon(true);
        return t;
    });

    private final Counter rejected;
    private final MetricGroup metrics;
    private final EnumMap<RejectionReason, Counter> byReason = new EnumMap<>(RejectionReason.class);
    private final Logger log;
    private final String what;
    private final LongSupplier clock;
    private final ScheduledFuture<?> timer;

    // guarded by this: what was counted since the last line
    private final EnumMap<RejectionReason, Long> sinceLog = new EnumMap<>(RejectionReason.class);
    private DeadLetter latest;
    private long lastLog = Long.MIN_VALUE / 2;

    /** @param what the kind of record, for the log line ("record", "connectivity record") */
    DeadLetterReporter(MetricGroup metrics, Logger log, String what) {
        this(metrics, log, what, System::currentTimeMillis, true);
    }

    DeadLetterReporter(MetricGroup metrics, Logger log, String what, LongSupplier clock, boolean scheduled) {
        this.metrics = metrics;
        this.rejected = metrics.counter("dead_letters");
        this.log = log;
        this.what = what;
        this.clock = clock;
        this.timer = scheduled ? TIMER.scheduleWithFixedDelay(this::flushIfDue, LOG_INTERVAL_MILLIS, LOG_INTERVAL_MILLIS / 4, TimeUnit.MILLISECONDS) : null;
    }

    void report(DeadLetter letter) {
        rejected.inc();
        byReason.computeIfAbsent(letter.reason, r -> metrics.addGroup("reason", r.name()).counter("dead_letters")).inc();
        synchronized (this) {
            sinceLog.merge(letter.reason, 1L, Long::sum);
            latest = letter;
        }
        flushIfDue();
    }

    /** Writes the summary owed when the interval since the last line has passed. */
    void flushIfDue() {
        long now = clock.getAsLong();
        String line;
        synchronized (this) {
            if (sinceLog.isEmpty() || now - lastLog < LOG_INTERVAL_MILLIS) return;
            line = summary();
            lastLog = now;
        }
        log.warn(line);
    }

    /** Writes what is owed now (the decoder closes). */
    @Override
    public void close() {
        if (timer != null) timer.cancel(false);
        String line;
        synchronized (this) {
            if (sinceLog.isEmpty()) return;
            line = summary();
        }
        log.warn(line);
    }

    /** "3 record(s) sent to the dead-letter topic since the last summary: 2 CORRUPT_AVRO, 1 UNKNOWN_BRANCH; latest: ..." */
    private String summary() {
        long total = 0;
        StringJoiner reasons = new StringJoiner(", ");
        for (Map.Entry<RejectionReason, Long> e : sinceLog.entrySet()) {
            total += e.getValue();
            reasons.add(e.getValue() + " " + e.getKey());
        }
        String line = total + " " + what + "(s) sent to the dead-letter topic since the last summary: " + reasons
                + "; latest: " + latest.reason + " at " + latest.record.coordinates() + ": " + latest.detail;
        sinceLog.clear();
        latest = null;
        return line;
    }
}
