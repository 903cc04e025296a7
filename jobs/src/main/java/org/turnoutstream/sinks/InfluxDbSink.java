package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.time.Duration;

/**
 * Writes {@link InfluxPoint}s to InfluxDB 1.x in batches, over its HTTP /write API with millisecond
 * precision. At-least-once: everything buffered is written before each checkpoint barrier and at
 * end of input, and a point re-written after a restart overwrites itself (same series, same time).
 * While InfluxDB is unreachable the writer retries forever and the job backpressures; errors that
 * retrying cannot fix (bad credentials, missing database, rejected points) fail the job.
 *
 * <pre>{@code
 * stream.sinkTo(InfluxDbSink.builder()
 *         .url("http://127.0.0.1:8086").database("turnout")
 *         .batchSize(5000).flushInterval(Duration.ofMillis(100))
 *         .build());
 * }</pre>
 */
public final class InfluxDbSink implements Sink<InfluxPoint> {
    private static final long serialVersionUID = 1L;

    private final InfluxDbSinkConfig config;

    private InfluxDbSink(InfluxDbSinkConfig config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    public InfluxDbSinkConfig config() {
        return config;
    }

    @Override
    public SinkWriter<InfluxPoint> createWriter(WriterInitContext context) throws IOException {
        return InfluxDbSinkWriter.start(config, context);
    }

    @Override
    public String toString() {
        return "InfluxDbSink[" + config + "]";
    }

    public static final class Builder {
        private String url;
        private String username;
        private String password;
        private String database;
        private String retentionPolicy;
        private int batchSize = 5000;
        private Duration flushInterval = Duration.ofMillis(100);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration retryWarnInterval = Duration.ofSeconds(5);

        private Builder() {}

        /** Base URL of the InfluxDB HTTP API, e.g. {@code http://127.0.0.1:8086}. */
        public Builder url(String url) { this.url = url; return this; }
        public Builder username(String username) { this.username = username; return this; }
        public Builder password(String password) { this.password = password; return this; }
        public Builder database(String database) { this.database = database; return this; }
        /** Optional; the database's default retention policy when not set. */
        public Builder retentionPolicy(String retentionPolicy) { this.retentionPolicy = retentionPolicy; return this; }
        /** Points per HTTP request; a full buffer is written at once. Default 5,000. */
        public Builder batchSize(int batchSize) { this.batchSize = batchSize; return this; }
        /** Longest time a point waits in the buffer before it is written. Default 100 ms. */
        public Builder flushInterval(Duration flushInterval) { this.flushInterval = flushInterval; return this; }
        /** First wait after a transient failure; doubled on each further failure. Default 100 ms. */
        public Builder initialBackoff(Duration initialBackoff) { this.initialBackoff = initialBackoff; return this; }
        /** Cap of the wait between retries. Default 10 s. */
        public Builder maxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; return this; }
        /** Connect, read and write timeout of one HTTP request. Default 30 s. */
        public Builder requestTimeout(Duration requestTimeout) { this.requestTimeout = requestTimeout; return this; }
        /** Least time between two WARN lines about the same ongoing outage. Default 5 s. */
        public Builder retryWarnInterval(Duration retryWarnInterval) { this.retryWarnInterval = retryWarnInterval; return this; }

        public InfluxDbSink build() {
            return new InfluxDbSink(new InfluxDbSinkConfig(url, username, password, database, retentionPolicy,
                    batchSize, flushInterval, initialBackoff, maxBackoff, requestTimeout, retryWarnInterval));
        }
    }
}
