package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionInternalTimeServiceManager;
import org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.turnoutstream.testing.NoGenericTypes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A keyed function run the way {@code --execution-mode batch} runs it: Flink's BATCH state backend and timer service
 * (a key's timers fire when the next key starts, with the watermark at Long.MAX_VALUE, and timers registered in a
 * timer callback are ignored), the input sorted by key and then by timestamp, then the end of input.
 */
final class BatchModeHarness {
    private BatchModeHarness() {}

    static <IN, OUT> KeyedOneInputStreamOperatorTestHarness<String, IN, OUT> run(KeyedProcessFunction<String, IN, OUT> function,
            KeySelector<IN, String> key, ToLongFunction<IN> timestamp, List<IN> input) throws Exception {
        return run(function, key, Types.STRING, timestamp, input);
    }

    static <K extends Comparable<K>, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> run(KeyedProcessFunction<K, IN, OUT> function,
            KeySelector<IN, K> key, TypeInformation<K> keyType, ToLongFunction<IN> timestamp, List<IN> input) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness =
                NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), key, keyType));
        harness.setTimeServiceManagerProvider(BatchExecutionInternalTimeServiceManager::create);
        harness.setStateBackend(new BatchExecutionStateBackend()); // also builds the state initializer with that provider
        harness.open();
        List<IN> sorted = new ArrayList<>(input);
        sorted.sort(Comparator.<IN, K>comparing(in -> {
            try {
                return key.getKey(in);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).thenComparingLong(timestamp));
        for (IN in : sorted) harness.processElement(in, timestamp.applyAsLong(in));
        harness.processWatermark(Long.MAX_VALUE);
        return harness;
    }
}
