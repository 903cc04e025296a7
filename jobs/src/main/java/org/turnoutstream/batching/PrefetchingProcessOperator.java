package org.turnoutstream.batching;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.state.StateSnapshotContext;

/**
 * A {@link ProcessOperator} that processes its records in batches ({@link RecordBatch}), letting its function read ahead
 * for each batch ({@link Prefetching}) first. What the function emits, and when relative to watermarks and checkpoints,
 * is what it would emit one record at a time (see {@link RecordBatch}).
 */
public class PrefetchingProcessOperator<IN, OUT, F extends ProcessFunction<IN, OUT> & Prefetching<IN>> extends ProcessOperator<IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final F function;
    private final int capacity;
    private transient RecordBatch<IN> batch;

    public PrefetchingProcessOperator(F function) {
        this(function, RecordBatch.DEFAULT_CAPACITY);
    }

    public PrefetchingProcessOperator(F function, int capacity) {
        super(function);
        this.function = function;
        this.capacity = capacity;
    }

    @Override
    public void open() throws Exception {
        super.open();
        batch = new RecordBatch<>(capacity);
        RecordBatch.processAtMostEvery(getProcessingTimeService(), this::processBatch);
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        if (batch.add(element)) processBatch();
    }

    private void processBatch() throws Exception {
        batch.process(function, super::processElement);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        processBatch();
        super.processWatermark(mark);
    }

    @Override
    public void processWatermark(WatermarkEvent watermark) throws Exception {
        processBatch();
        super.processWatermark(watermark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        processBatch();
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        processBatch();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        if (batch != null) batch.checkProcessed();
        super.snapshotState(context);
    }

    @Override
    public void finish() throws Exception {
        processBatch();
        super.finish();
    }
}
