package org.turnoutstream.functions;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

import java.util.List;

/**
 * A {@link KeyedProcessOperator} that keeps its watermark across a restore. Flink starts a restored operator at no
 * watermark (Long.MIN_VALUE until the next one arrives), so a record that an uninterrupted run would have found behind
 * the watermark (late) counts as in time after a restart, and a function whose buffered, already due input is applied
 * lazily could then order it differently. This operator puts its watermark in the checkpoint (union operator state: on
 * rescaling every subtask takes the lowest, so nothing becomes late that was not) and hands it to the function before
 * it opens; the function treats max(current, restored) as its watermark. A restart then changes nothing.
 */
public class WatermarkKeepingOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT> {
    private static final long serialVersionUID = 1L;
    private static final ListStateDescriptor<Long> WATERMARKS = new ListStateDescriptor<>("watermark-at-checkpoint", Types.LONG);

    /** A function that can start from the watermark of the checkpoint it is restored from. */
    public interface KeepsWatermark {
        void restoreWatermark(long watermark);
    }

    private transient ListState<Long> watermarks;

    public <F extends KeyedProcessFunction<K, IN, OUT> & KeepsWatermark> WatermarkKeepingOperator(F function) {
        super(function);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermarks = context.getOperatorStateStore().getUnionListState(WATERMARKS);
        if (!context.isRestored()) return;
        long lowest = Long.MAX_VALUE;
        boolean any = false;
        for (Long w : watermarks.get()) {
            lowest = Math.min(lowest, w);
            any = true;
        }
        if (any) ((KeepsWatermark) getUserFunction()).restoreWatermark(lowest);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        watermarks.update(List.of(getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this).currentWatermark()));
    }
}
