package org.turnoutstream.functions;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * The operator {@link BranchWorkFunction} runs in: it keeps the detector's watermark across a restore
 * ({@link WatermarkKeepingOperator}), and in STREAMING it keeps the branches' timers itself, in {@link TimerBuckets}
 * instead of Flink's timer heap (one timer per branch, set again every heartbeat timeout: the heap's sift and hash set
 * were a third of the task's time). A watermark first advances Flink's timer service (its watermark is the one the
 * function reads), then fires the due bucket timers as Flink fires its own (current key set, then the function's
 * {@code onTimer} through {@link #onEventTime}), then goes downstream.
 *
 * <p>The buckets are not in the checkpoint: every branch's state entry has its timer ({@link BranchWorkState#timerAt}),
 * so a restored operator adds them back from the restored entries before the first record. A timer the function has
 * since moved still fires and is ignored ({@link BranchWorkFunction#onTimer}: not the entry's timer). In BATCH (keys
 * sorted, one key's state at a time, timers fired per key by Flink) the function keeps Flink's timers.
 */
public final class BranchWorkOperator extends WatermarkKeepingOperator<Long, BranchSignal, BranchDelta> {
    private static final long serialVersionUID = 1L;

    private final BranchWorkFunction function;
    private transient TimerBuckets buckets;
    private transient boolean restored;

    BranchWorkOperator(BranchWorkFunction function) {
        super(function);
        this.function = function;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (getKeyedStateBackend() instanceof BatchExecutionKeyedStateBackend) return;
        buckets = new TimerBuckets();
        function.keepTimersIn(this::addTimer);
        if (restored) function.setEveryTimer(getKeyedStateBackend(), this::addTimer);
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
        if (timeServiceManager != null) timeServiceManager.advanceWatermark(mark);
        buckets.fireUpTo(mark.getTimestamp(), this::fire);
        output.emitWatermark(mark);
    }

    private void fire(long key, long timestamp) throws Exception {
        setCurrentKey(key);
        onEventTime(new TimerHeapInternalTimer<>(timestamp, key, VoidNamespace.INSTANCE));
    }
}
