package org.turnoutstream.sinks;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP error answer from InfluxDB, keeping the status code. influxdb-java turns error answers into
 * exceptions that only carry the body text, and the code is what tells a server hiccup (5xx, worth
 * retrying) from a request InfluxDB will never accept (4xx). It is an IOException so that it travels
 * out of OkHttp's interceptor chain and influxdb-java wraps it as the cause of an InfluxDBIOException.
 */
final class InfluxHttpStatusException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final Pattern ERROR_FIELD = Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final int status;
    private final String error;

    InfluxHttpStatusException(int status, String path, String body) {
        super("InfluxDB answered HTTP " + status + " to " + path + ": " + errorOf(body));
        this.status = status;
        this.error = errorOf(body);
    }

    int status() {
        return status;
    }

    /** InfluxDB's own words: the "error" field of its JSON answer, or the raw body. */
    String error() {
        return error;
    }

    boolean isTransient() {
        // 408 and 429 are the server asking to come back later; all other 4xx are final
        return status >= 500 || status == 408 || status == 429;
    }

    private static String errorOf(String body) {
        if (body == null || body.isBlank()) return "(empty body)";
        Matcher m = ERROR_FIELD.matcher(body);
        return m.find() ? m.group(1).replace("\\\"", "\"") : body.strip();
    }
}
