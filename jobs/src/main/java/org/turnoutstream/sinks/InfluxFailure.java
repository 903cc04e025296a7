package org.turnoutstream.sinks;

import org.influxdb.InfluxDBException;

import java.io.IOException;

/**
 * What went wrong talking to InfluxDB, told in an operator's words, and whether retrying can help.
 * Unreachable servers, timeouts and 5xx answers are transient; bad credentials, a missing database
 * and rejected points are not. Messages name the user and database but never the password.
 */
final class InfluxFailure {
    private final boolean isTransient;
    private final String reason;

    private InfluxFailure(boolean isTransient, String reason) {
        this.isTransient = isTransient;
        this.reason = reason;
    }

    boolean isTransient() {
        return isTransient;
    }

    String reason() {
        return reason;
    }

    static InfluxFailure classify(Throwable failure, InfluxDbSinkConfig config) {
        InfluxHttpStatusException http = find(failure, InfluxHttpStatusException.class);
        if (http != null) return fromHttp(http, config);
        IOException io = find(failure, IOException.class);
        if (io != null) {
            return new InfluxFailure(true, "cannot reach InfluxDB at " + config.url() + ": " + io);
        }
        if (failure instanceof InfluxDBException influx) {
            return new InfluxFailure(influx.isRetryWorth(), "InfluxDB at " + config.url() + " failed: " + influx.getMessage());
        }
        return new InfluxFailure(false, "unexpected failure writing to InfluxDB at " + config.url() + ": " + failure);
    }

    private static InfluxFailure fromHttp(InfluxHttpStatusException http, InfluxDbSinkConfig config) {
        String answer = " (HTTP " + http.status() + ": " + http.error() + ")";
        if (http.isTransient()) {
            return new InfluxFailure(true, "InfluxDB at " + config.url() + " is not accepting requests" + answer);
        }
        String db = "'" + config.database() + "'";
        switch (http.status()) {
            case 401:
                return new InfluxFailure(false, "InfluxDB at " + config.url() + " rejected the credentials of "
                        + config.userDescription() + answer + ": check the sink's username and password");
            case 403:
                return new InfluxFailure(false, "InfluxDB at " + config.url() + " does not let "
                        + config.userDescription() + " write to database " + db + answer
                        + ": GRANT WRITE ON \"" + config.database() + "\" TO the user");
            case 404:
                if (http.error().contains("database not found")) return databaseNotFound(config, answer);
                if (http.error().contains("retention policy not found")) {
                    return new InfluxFailure(false, "retention policy '" + config.retentionPolicy()
                            + "' of database " + db + " does not exist on " + config.url() + answer);
                }
                return new InfluxFailure(false, "InfluxDB at " + config.url() + " has no such endpoint" + answer
                        + ": is the url right, and is it InfluxDB 1.x?");
            case 400:
                return new InfluxFailure(false, "InfluxDB at " + config.url() + " rejected points for database "
                        + db + " as invalid" + answer);
            default:
                return new InfluxFailure(false, "InfluxDB at " + config.url() + " refused the request" + answer);
        }
    }

    static InfluxFailure databaseNotFound(InfluxDbSinkConfig config, String detail) {
        return new InfluxFailure(false, "database '" + config.database() + "' does not exist on " + config.url()
                + detail + ": create it first (CREATE DATABASE \"" + config.database() + "\")"
                + (config.username() == null ? "" : " or grant " + config.userDescription() + " access to it"));
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
            if (t.getCause() == t) break;
        }
        return null;
    }
}
