package org.turnoutstream.testing;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Tests run with {@code pipeline.generic-types: false}, as the job does ({@code LiveTurnoutJob.configureRuntime}):
 * a type on a test's data path that would fall back to Kryo fails the test. {@link FlinkMiniCluster} puts it in
 * every environment of a MiniCluster test; {@link #in} in an operator test harness, before {@code open()};
 * {@link #forKeyedProcessFunction} is {@code ProcessFunctionTestHarnesses.forKeyedProcessFunction} with it.
 */
public final class NoGenericTypes {
    private NoGenericTypes() {}

    public static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /**
     * The harness with generic types off: state whose type is a generic one fails when the function first
     * asks for it (in {@code open()}). Returns the harness.
     */
    public static <H extends AbstractStreamOperatorTestHarness<?>> H in(H harness) {
        harness.getExecutionConfig().getSerializerConfig().configure(configuration(), NoGenericTypes.class.getClassLoader());
        return harness;
    }

    /** An open harness for the function, as {@code ProcessFunctionTestHarnesses.forKeyedProcessFunction}, with generic types off. */
    public static <K, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> forKeyedProcessFunction(
            KeyedProcessFunction<K, IN, OUT> function, KeySelector<IN, K> key, TypeInformation<K> keyType) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness =
                in(new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), key, keyType, 1, 1, 0));
        harness.open();
        return harness;
    }
}
