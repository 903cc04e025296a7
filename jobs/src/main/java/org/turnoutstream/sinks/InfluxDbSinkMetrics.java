package org.turnoutstream.sinks;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.util.function.IntSupplier;

/**
 * The sink's metrics, in a group "influxdb" under the writer's operator: points written, points in
 * batches that had to be retried, points lost to a permanent failure, batches written and the
 * number of points waiting in the buffer.
 */
final class InfluxDbSinkMetrics {
    static final String GROUP = "influxdb";

    private final Counter pointsWritten;
    private final Counter pointsRetried;
    private final Counter pointsFailed;
    private final Counter batchesWritten;
    private final Counter recordsSent;

    InfluxDbSinkMetrics(SinkWriterMetricGroup writerGroup, IntSupplier bufferedPoints) {
        MetricGroup group = writerGroup.addGroup(GROUP);
        this.pointsWritten = group.counter("pointsWritten");
        this.pointsRetried = group.counter("pointsRetried");
        this.pointsFailed = group.counter("pointsFailed");
        this.batchesWritten = group.counter("batchesWritten");
        group.gauge("bufferedPoints", (Gauge<Integer>) bufferedPoints::getAsInt);
        this.recordsSent = writerGroup.getNumRecordsSendCounter();
    }

    void batchWritten(int points) {
        pointsWritten.inc(points);
        recordsSent.inc(points);
        batchesWritten.inc();
    }

    void batchRetried(int points) {
        pointsRetried.inc(points);
    }

    void batchFailed(int points) {
        pointsFailed.inc(points);
    }
}
