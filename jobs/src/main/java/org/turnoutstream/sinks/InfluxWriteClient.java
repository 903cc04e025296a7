package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import okhttp3.OkHttpClient;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sink's one connection to InfluxDB, through influxdb-java with its own batching turned off:
 * each call is one synchronous HTTP request on the caller's thread, so every error reaches the
 * writer instead of being lost on a background thread.
 */
class InfluxWriteClient implements AutoCloseable {
    private final InfluxDbSinkConfig config;
    private final InfluxDB influx;

    InfluxWriteClient(InfluxDbSinkConfig config) {
        this.config = config;
        long timeoutMillis = config.requestTimeout().toMillis();
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .writeTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .addInterceptor(new HttpStatusInterceptor());
        this.influx = config.username() == null
                ? InfluxDBFactory.connect(config.url(), http)
                : InfluxDBFactory.connect(config.url(), config.username(), config.password(), http);
    }

    /** Writes the points in one request; throws influxdb-java's exceptions, see {@link InfluxFailure}. */
    void write(List<InfluxPoint> points) {
        BatchPoints.Builder batch = BatchPoints.database(config.database()).precision(TimeUnit.MILLISECONDS);
        if (config.retentionPolicy() != null) batch.retentionPolicy(config.retentionPolicy());
        for (InfluxPoint point : points) batch.point(toPoint(point));
        influx.write(batch.build());
    }

    /** Whether the database exists, as far as the sink's user can see; this also checks the credentials. */
    boolean databaseExists() {
        return influx.describeDatabases().contains(config.database());
    }

    static Point toPoint(InfluxPoint point) {
        Point.Builder builder = Point.measurement(point.measurement())
                .time(point.timeMillis(), TimeUnit.MILLISECONDS)
                .tag(point.tags());
        for (Map.Entry<String, Object> field : point.fields().entrySet()) {
            Object value = field.getValue();
            // Long stays an integer field ("42i"): InfluxDB fixes a field's type on first write
            if (value instanceof Long l) builder.addField(field.getKey(), l.longValue());
            else if (value instanceof Double d) builder.addField(field.getKey(), d.doubleValue());
            else if (value instanceof Boolean b) builder.addField(field.getKey(), b.booleanValue());
            else builder.addField(field.getKey(), (String) value);
        }
        return builder.build();
    }

    @Override
    public void close() {
        influx.close();
    }
}
