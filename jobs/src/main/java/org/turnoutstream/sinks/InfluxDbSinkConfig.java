package org.turnoutstream.sinks;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an {@link InfluxDbSink} needs to reach InfluxDB, shipped with the job graph (hence
 * serializable). The password is never printed: {@link #toString()} masks it.
 */
public final class InfluxDbSinkConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String username;
    private final String password;
    private final String database;
    private final String retentionPolicy;
    private final int batchSize;
    private final Duration flushInterval;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration requestTimeout;
    private final Duration retryWarnInterval;

    InfluxDbSinkConfig(String url, String username, String password, String database, String retentionPolicy,
            int batchSize, Duration flushInterval, Duration initialBackoff, Duration maxBackoff,
            Duration requestTimeout, Duration retryWarnInterval) {
        this.url = stripTrailingSlash(Objects.requireNonNull(url, "url"));
        this.username = username;
        this.password = password;
        this.database = Objects.requireNonNull(database, "database");
        this.retentionPolicy = retentionPolicy;
        this.batchSize = batchSize;
        this.flushInterval = Objects.requireNonNull(flushInterval, "flushInterval");
        this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.retryWarnInterval = Objects.requireNonNull(retryWarnInterval, "retryWarnInterval");
        if (url.isBlank()) throw new IllegalArgumentException("InfluxDB url is empty");
        if (database.isBlank()) throw new IllegalArgumentException("InfluxDB database name is empty");
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("InfluxDB username and password go together: give both or neither");
        }
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
        requirePositive("flushInterval", flushInterval);
        requirePositive("initialBackoff", initialBackoff);
        requirePositive("requestTimeout", requestTimeout);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isZero() || value.isNegative()) throw new IllegalArgumentException(name + " must be positive: " + value);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String url() { return url; }
    /** Null when InfluxDB is used without authentication. */
    public String username() { return username; }
    /** Null when InfluxDB is used without authentication. */
    public String password() { return password; }
    public String database() { return database; }
    /** Null for the database's default retention policy. */
    public String retentionPolicy() { return retentionPolicy; }
    public int batchSize() { return batchSize; }
    public Duration flushInterval() { return flushInterval; }
    public Duration initialBackoff() { return initialBackoff; }
    public Duration maxBackoff() { return maxBackoff; }
    public Duration requestTimeout() { return requestTimeout; }
    public Duration retryWarnInterval() { return retryWarnInterval; }

    /** How the sink names its user in messages: the user, or that there is none. */
    String userDescription() {
        return username == null ? "(no user)" : "user '" + username + "'";
    }

    @Override
    public String toString() {
        return "InfluxDbSinkConfig[url=" + url
                + ", database=" + database
                + (retentionPolicy == null ? "" : ", retentionPolicy=" + retentionPolicy)
                + ", username=" + username
                + ", password=" + (password == null ? "null" : "******")
                + ", batchSize=" + batchSize
                + ", flushInterval=" + flushInterval
                + ", initialBackoff=" + initialBackoff
                + ", maxBackoff=" + maxBackoff
                + ", requestTimeout=" + requestTimeout + "]";
    }
}
