package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.function.ThrowingConsumer;
import org.turnoutstream.batching.RecordBatch;

/**
 * The operator {@link BranchWorkFunction} runs in: it keeps the detector's watermark across a restore
 * ({@link WatermarkKeepingOperator}), and in STREAMING it keeps the branches' timers itself, in {@link TimerBuckets}
 * instead of Flink's timer heap (one timer per branch, set again every heartbeat timeout: the heap's sift and hash set
 * were a third of the task's time). A watermark first advances Flink's timer service (its watermark is the one the
 * function reads), then fires the due bucket timers as Flink fires its own (current key set, then the function's
 * {@code onTimer} through {@link #onEventTime}), then goes downstream.
 *
 * <p>In STREAMING the branches' entries live in {@link BranchEntries}, a flat table of this subtask's, not in Flink's
 * state map (whose lookup was half the task's time); those that changed are written back to Flink's keyed state, serialized, when a
 * checkpoint is taken ({@link #snapshotState}, before the keyed state is snapshotted), and a restored operator takes
 * the restored entries into its table. So checkpoints, savepoints and rescaling are Flink's as before.
 *
 * <p>The buckets are not in the checkpoint: every branch's state entry has its timer ({@link BranchWorkState#timerAt}),
 * so a restored operator adds them back from the restored entries before the first record. A timer the function has
 * since moved still fires and is ignored ({@link BranchWorkFunction#onTimer}: not the entry's timer). In BATCH (keys
 * sorted, one key's state at a time, timers fired per key by Flink) the function keeps Flink's timers.
 *
 * <p>In STREAMING the signals are processed in batches ({@link RecordBatch}), each branch's entry read ahead for the
 * whole batch first ({@link BranchWorkFunction#prefetch}), and so are the entries of the timers about to fire
 * ({@link BranchWorkFunction#prefetchTimers}); every output is the same as one signal at a time.
 */
public final class BranchWorkOperator extends WatermarkKeepingOperator<Long, BranchSignal, BranchDelta> {
    private static final long serialVersionUID = 1L;

    private final BranchWorkFunction function;
    /** Signals a batch holds in STREAMING ({@link #processElement}). */
    private final int batchSize;
    private transient TimerBuckets buckets;
    private transient BranchEntries entries;

    BranchWorkOperator(BranchWorkFunction function, int batchSize) {
        super(function);
        if (batchSize < 1) throw new IllegalArgumentException("batch size " + batchSize);
        this.function = function;
        this.batchSize = batchSize;
    }

    /** The signals waiting to be processed in STREAMING ({@link #processElement}); null in BATCH. */
    private transient RecordBatch<BranchSignal> batch;

    @Override
    public void open() throws Exception {
        super.open();
        if (getKeyedStateBackend() instanceof BatchExecutionKeyedStateBackend) return;
        buckets = new TimerBuckets();
        entries = new BranchEntries();
        function.keepTimersIn(this::addTimer);
        function.keepEntriesIn(entries, getKeyedStateBackend(), this::addTimer);
        batch = new RecordBatch<>(batchSize);
        processOne = this::processOne;
        RecordBatch.processAtMostEvery(getProcessingTimeService(), this::processBatch);
    }

    /**
     * In STREAMING a signal joins a batch ({@link RecordBatch}: processed when full, before a watermark, a watermark
     * status or a checkpoint barrier goes on, at the end of the input, and {@link RecordBatch#MAX_WAIT_MILLIS} later at
     * the latest), so that the entries of the batch's branches are read for all its signals first
     * ({@link BranchWorkFunction#prefetch}); each signal is then processed with its own key, as on arrival.
     */
    @Override
    public void processElement(StreamRecord<BranchSignal> element) throws Exception {
        if (batch == null) super.processElement(element);
        else if (batch.add(element)) processBatch();
    }

    /**
     * In STREAMING the key of a signal is set when its batch is processed ({@link #processBatch}), not on arrival, where
     * Flink would set it first (boxing and hashing the key once more per signal for nothing).
     */
    @Override
    public void setKeyContextElement1(StreamRecord record) throws Exception {
        if (batch == null) super.setKeyContextElement1(record);
    }

    private void processBatch() throws Exception {
        if (batch == null) return;
        batch.process(function, processOne);
    }

    /** Processes one signal of a batch with its own key (made once, in {@link #open}). */
    private transient ThrowingConsumer<StreamRecord<BranchSignal>, Exception> processOne;

    private void processOne(StreamRecord<BranchSignal> record) throws Exception {
        setCurrentKey(record.getValue().compactKey());
        super.processElement(record);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        processBatch();
        super.processWatermarkStatus(status);
    }

    @Override
    public void processWatermark(WatermarkEvent watermark) throws Exception {
        processBatch();
        super.processWatermark(watermark);
    }

    /** The batch is processed before the barrier goes on: the checkpoint holds every signal that came before it. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        processBatch();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        processBatch();
        super.finish();
    }

    /** The entries that changed since the last checkpoint go to Flink's keyed state first: the checkpoint takes them there. */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        if (batch != null) batch.checkProcessed();
        if (entries != null) function.writeBack(this::setCurrentKey);
        super.snapshotState(context);
    }

    /** How many branches have an entry (tests). */
    int branchEntries() {
        return function.entries(getKeyedStateBackend());
    }

    /** Visits every entry's current timer (tests). */
    void forEachEntryTimer(BranchWorkFunction.KeyTimers visitor) throws Exception {
        function.forEachTimer(getKeyedStateBackend(), visitor);
    }

    /** The timers in STREAMING; null in BATCH, where Flink keeps them. */
    TimerBuckets buckets() {
        return buckets;
    }

    BranchWorkFunction function() {
        return function;
    }

    private void addTimer(long key, long timestamp) {
        buckets.add(timestamp, key);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (buckets == null) {
            super.processWatermark(mark);
            return;
        }
        processBatch();
        if (timeServiceManager != null) timeServiceManager.advanceWatermark(mark);
        buckets.fireUpTo(mark.getTimestamp(), this::fire, function::prefetchTimers);
        output.emitWatermark(mark);
    }

    private void fire(long key, long timestamp) throws Exception {
        setCurrentKey(key);
        onEventTime(new TimerHeapInternalTimer<>(timestamp, key, VoidNamespace.INSTANCE));
    }
}
