package org.turnoutstream.sinks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Repeats a request to InfluxDB until it succeeds, waiting longer after each transient failure
 * (doubling from initialBackoff up to maxBackoff), and gives up only on a permanent one. It blocks
 * the calling task thread on purpose: while InfluxDB is down the job backpressures instead of
 * dropping points. During a long outage it logs one WARN line per retryWarnInterval, not per try.
 */
final class RetryUntilAccepted {
    private static final Logger LOG = LoggerFactory.getLogger(RetryUntilAccepted.class);

    /** One request to InfluxDB; influxdb-java reports failures as runtime exceptions. */
    interface Request {
        void send();
    }

    /** The wait between attempts, replaceable so that tests need not sleep. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final InfluxDbSinkConfig config;
    private final Sleeper sleeper;

    RetryUntilAccepted(InfluxDbSinkConfig config, Sleeper sleeper) {
        this.config = config;
        this.sleeper = sleeper;
    }

    RetryUntilAccepted(InfluxDbSinkConfig config) {
        this(config, duration -> Thread.sleep(duration.toMillis()));
    }

    /**
     * @param what what the request does, for log lines ("write of 5000 points")
     * @param points points at stake, counted as retried on each repeat and as failed when giving up
     */
    void run(String what, int points, InfluxDbSinkMetrics metrics, Request request)
            throws InfluxDbSinkException, InterruptedException {
        long startNanos = System.nanoTime();
        long lastWarnNanos = 0;
        int attempt = 0;
        Duration backoff = config.initialBackoff();
        while (true) {
            attempt++;
            try {
                request.send();
                if (attempt > 1) {
                    LOG.info("InfluxDB at {} accepted the {} after {} attempts over {} ms", config.url(), what,
                            attempt, elapsedMillis(startNanos));
                }
                return;
            } catch (RuntimeException e) {
                InfluxFailure failure = InfluxFailure.classify(e, config);
                if (!failure.isTransient()) {
                    if (metrics != null) metrics.batchFailed(points);
                    throw new InfluxDbSinkException(failure.reason(), e);
                }
                long now = System.nanoTime();
                if (attempt == 1 || now - lastWarnNanos >= config.retryWarnInterval().toNanos()) {
                    lastWarnNanos = now;
                    LOG.warn("{} failed (attempt {}, retrying for {} ms so far, next try in {} ms); "
                                    + "the job waits until InfluxDB is back: {}",
                            capitalize(what), attempt, elapsedMillis(startNanos), backoff.toMillis(), failure.reason());
                }
            }
            if (metrics != null) metrics.batchRetried(points);
            sleeper.sleep(backoff);
            backoff = backoff.multipliedBy(2);
            if (backoff.compareTo(config.maxBackoff()) > 0) backoff = config.maxBackoff();
        }
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
