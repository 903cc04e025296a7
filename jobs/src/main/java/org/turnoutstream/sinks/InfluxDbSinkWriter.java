package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers points and writes them to InfluxDB in batches: when the buffer holds batchSize points,
 * when its oldest point has waited flushInterval, before each checkpoint barrier and at end of
 * input. All writes run on the task thread (the flush timer fires through the task's mailbox), so
 * a failure fails the task instead of vanishing in a background thread, and a slow or absent
 * InfluxDB slows the job down rather than making it drop points.
 */
final class InfluxDbSinkWriter implements SinkWriter<InfluxPoint> {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxDbSinkWriter.class);

    private final InfluxDbSinkConfig config;
    private final InfluxWriteClient client;
    private final ProcessingTimeService timeService;
    private final RetryUntilAccepted retry;
    private final InfluxDbSinkMetrics metrics;
    private final List<InfluxPoint> buffer;
    private final String subtask;

    private long oldestBufferedAt;
    private boolean timerPending;
    private boolean closed;

    InfluxDbSinkWriter(InfluxDbSinkConfig config, InfluxWriteClient client, ProcessingTimeService timeService,
            SinkWriterMetricGroup metricGroup, RetryUntilAccepted retry, String subtask) {
        this.config = config;
        this.client = client;
        this.timeService = timeService;
        this.retry = retry;
        this.subtask = subtask;
        this.buffer = new ArrayList<>(Math.min(config.batchSize(), 10_000));
        this.metrics = new InfluxDbSinkMetrics(metricGroup, buffer::size);
    }

    /** Creates a writer and checks, before any point arrives, that it can write to the database. */
    static InfluxDbSinkWriter start(InfluxDbSinkConfig config, WriterInitContext context) throws IOException {
        String subtask = "subtask " + context.getTaskInfo().getIndexOfThisSubtask();
        InfluxWriteClient client = new InfluxWriteClient(config);
        InfluxDbSinkWriter writer = new InfluxDbSinkWriter(config, client, context.getProcessingTimeService(),
                context.metricGroup(), new RetryUntilAccepted(config), subtask);
        try {
            writer.checkDatabase();
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        LOG.info("InfluxDB sink {} writes to database '{}' at {} as {} (batches of {}, flushed every {} ms)",
                subtask, config.database(), config.url(), config.userDescription(), config.batchSize(),
                config.flushInterval().toMillis());
        return writer;
    }

    void checkDatabase() throws IOException {
        // A dead server is worth waiting for (it may still be starting); wrong credentials or a
        // missing database are not, and surface here, before the first point, rather than mid-run.
        boolean[] exists = new boolean[1];
        try {
            retry.run("check of database '" + config.database() + "'", 0, null,
                    () -> exists[0] = client.databaseExists());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking InfluxDB at " + config.url(), e);
        }
        if (!exists[0]) {
            throw new InfluxDbSinkException(InfluxFailure.databaseNotFound(config, "").reason(), null);
        }
    }

    @Override
    public void write(InfluxPoint point, Context context) throws IOException, InterruptedException {
        if (buffer.isEmpty()) oldestBufferedAt = timeService.getCurrentProcessingTime();
        buffer.add(point);
        if (buffer.size() >= config.batchSize()) {
            writeBuffer();
        } else if (!timerPending) {
            scheduleFlush(oldestBufferedAt + config.flushInterval().toMillis());
        }
    }

    /** Called before each checkpoint barrier and at end of input: nothing stays buffered. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        writeBuffer();
    }

    private void scheduleFlush(long at) {
        timerPending = true;
        timeService.registerTimer(at, this::onFlushTimer);
    }

    private void onFlushTimer(long now) throws IOException, InterruptedException {
        timerPending = false;
        if (closed || buffer.isEmpty()) return;
        long due = oldestBufferedAt + config.flushInterval().toMillis();
        // the buffer may have been written and refilled since this timer was set
        if (now >= due) writeBuffer();
        else scheduleFlush(due);
    }

    private void writeBuffer() throws IOException, InterruptedException {
        for (int from = 0; from < buffer.size(); from += config.batchSize()) {
            List<InfluxPoint> batch = buffer.subList(from, Math.min(buffer.size(), from + config.batchSize()));
            int size = batch.size();
            retry.run("write of " + size + " points to database '" + config.database() + "' (" + subtask + ")",
                    size, metrics, () -> client.write(batch));
            metrics.batchWritten(size);
        }
        buffer.clear();
    }

    int bufferedPoints() {
        return buffer.size();
    }

    /**
     * Closes the connection. Buffered points are not written here: close also runs when the task is
     * cancelled or failing, and everything that must be written already was by flush().
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (!buffer.isEmpty()) {
            LOG.info("InfluxDB sink {} closing with {} unwritten points; they are replayed from the last checkpoint",
                    subtask, buffer.size());
        }
        client.close();
    }
}
