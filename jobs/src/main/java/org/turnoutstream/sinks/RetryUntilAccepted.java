package org.turnoutstream.sinks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.health.DependencyHealth;

import java.time.Duration;

/**
 * Repeats a request to InfluxDB until it succeeds, waiting longer after each transient failure
 * (doubling from initialBackoff up to maxBackoff), and gives up only on a permanent one. It blocks
 * the calling task thread on purpose: while InfluxDB is down the job backpressures instead of
 * dropping points. An outage is one WARN line when it starts and one INFO line when InfluxDB answers again, whatever
 * the number of writers and tries ({@link DependencyHealth}); each writer's retries are at DEBUG, one per retryWarnInterval.
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
        DependencyHealth influx = DependencyHealth.of("InfluxDB at " + config.url(), LOG);
        long startNanos = System.nanoTime();
        long lastNoteNanos = 0;
        int attempt = 0;
        Duration backoff = config.initialBackoff();
        while (true) {
            attempt++;
            try {
                request.send();
                influx.answered();
                if (attempt > 1) {
                    LOG.debug("InfluxDB at {} accepted the {} after {} attempts over {} ms", config.url(), what,
                            attempt, elapsedMillis(startNanos));
                }
                return;
            } catch (RuntimeException e) {
                InfluxFailure failure = InfluxFailure.classify(e, config);
                if (!failure.isTransient()) {
                    influx.answered(); // it answered, with a refusal that retrying cannot change
                    if (metrics != null) metrics.batchFailed(points);
                    throw new InfluxDbSinkException(failure.reason(), e);
                }
                influx.failed(failure.reason(), "the job waits for it (backpressure, no point is dropped) and retries with backoff, "
                        + "up to " + config.maxBackoff().toMillis() + " ms apart");
                long now = System.nanoTime();
                if (attempt == 1 || now - lastNoteNanos >= config.retryWarnInterval().toNanos()) {
                    lastNoteNanos = now;
                    LOG.debug("{} failed (attempt {}, retrying for {} ms so far, next try in {} ms): {}",
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
