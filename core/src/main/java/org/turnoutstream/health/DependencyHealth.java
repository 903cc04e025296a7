package org.turnoutstream.health;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether one dependency of the job (a Kafka cluster, the schema registry, InfluxDB) answers, as an operator reads it in
 * the log: one WARN line when it becomes unreachable and one INFO line when it answers again, with how long it was away,
 * not a line per failed attempt, per client, per subtask or per restart. The clients that use the dependency report every
 * attempt ({@link #failed}, {@link #answered}); only the changes are logged. One instance per dependency and JVM
 * ({@link #of}), shared by all its clients.
 */
public final class DependencyHealth {
    private static final ConcurrentHashMap<String, DependencyHealth> BY_NAME = new ConcurrentHashMap<>();

    private final String name;
    private final Logger log;
    private final Clock clock;
    private volatile Instant unreachableSince; // null while it answers
    private long failedAttempts;

    DependencyHealth(String name, Logger log, Clock clock) {
        this.name = name;
        this.log = log;
        this.clock = clock;
    }

    /**
     * The health of the dependency of this name in this JVM ("schema registry http://registry:8080/apis/ccompat/v7"),
     * logged to {@code log} (the first caller's).
     */
    public static DependencyHealth of(String name, Logger log) {
        return BY_NAME.computeIfAbsent(name, n -> new DependencyHealth(n, log, Clock.systemUTC()));
    }

    /**
     * An attempt failed. The first failure since the dependency last answered logs the outage: what failed and what
     * happens meanwhile ("retrying with backoff ..."). Returns since when it is unreachable.
     */
    public synchronized Instant failed(String failure, String meanwhile) {
        failedAttempts++;
        if (unreachableSince == null) {
            unreachableSince = clock.instant();
            log.warn("{} unreachable ({}): {}; one line here when it answers again", name, failure, meanwhile);
        }
        return unreachableSince;
    }

    /** An attempt succeeded: if the dependency was unreachable, says once that it is back and how long it was away. */
    public void answered() {
        if (unreachableSince == null) return; // the usual case, without taking the lock
        synchronized (this) {
            if (unreachableSince == null) return;
            log.info("{} reachable again after {} s ({} failed attempt(s))", name,
                    Duration.between(unreachableSince, clock.instant()).toSeconds(), failedAttempts);
            unreachableSince = null;
            failedAttempts = 0;
        }
    }

    /** Since when the dependency is unreachable; empty while it answers. */
    public Optional<Instant> unreachableSince() {
        return Optional.ofNullable(unreachableSince);
    }

    public String name() {
        return name;
    }
}
