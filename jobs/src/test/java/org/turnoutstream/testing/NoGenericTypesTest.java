package org.turnoutstream.testing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test setup refuses generic (Kryo) types, so a type on the data path that falls back to Kryo fails the
 * tests: a job with a generic type between operators, or in keyed state, fails on a {@link FlinkMiniCluster};
 * state of a generic type fails in a harness made with {@link NoGenericTypes}. The same jobs run when generic
 * types are explicitly allowed: it is the setting that fails them.
 */
class NoGenericTypesTest {
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    /** A generic type to Flink: no public no-argument constructor, a private field without accessors. */
    static final class Opaque {
        private final long value;

        Opaque(long value) {
            this.value = value;
        }

        long value() { return value; }
    }

    static final String REFUSED = "Generic types have been disabled";

    @Test
    void theOpaqueTypeIsGeneric() {
        assertInstanceOf(GenericTypeInfo.class, TypeInformation.of(Opaque.class));
    }

    @Test
    void aGenericTypeBetweenOperatorsFailsTheJob() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertTrue(env.getConfig().getSerializerConfig().hasGenericTypesDisabled(), "the test environment has generic types off");
        opaqueStream(env, "generic-edge");
        Exception e = assertThrows(Exception.class, () -> env.execute("generic edge"));
        assertRefused(e);
    }

    @Test
    void aGenericTypeInKeyedStateFailsTheJob() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        opaqueState(env, "generic-state");
        Exception e = assertThrows(Exception.class, () -> env.execute("generic state"));
        assertRefused(e);
    }

    @Test
    void aTestsOwnConfigurationKeepsThemOff() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, java.time.Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        assertTrue(env.getConfig().getSerializerConfig().hasGenericTypesDisabled());
        assertEquals(50, env.getConfig().getAutoWatermarkInterval());
    }

    @Test
    void withGenericTypesAllowedTheSameJobsRun() throws Exception {
        Configuration allowed = new Configuration();
        allowed.set(PipelineOptions.GENERIC_TYPES, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(allowed);
        CollectingSink<Long> edge = opaqueStream(env, "allowed-edge");
        CollectingSink<Long> state = opaqueState(env, "allowed-state");
        env.execute("generic types allowed");
        assertEquals(List.of(1L, 2L, 3L), edge.get().stream().sorted().toList());
        assertEquals(List.of(1L, 2L, 3L), state.get().stream().sorted().toList());
    }

    @Test
    void aGenericStateTypeFailsInAHarness() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, String, Long> harness = NoGenericTypes.in(
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new RemembersOpaque()), s -> s, Types.STRING));
        Exception e = assertThrows(Exception.class, () -> {
            harness.open();
            harness.processElement("a", 0);
        });
        assertRefused(e);
        assertRefused(assertThrows(Exception.class, () -> NoGenericTypes.forKeyedProcessFunction(new RemembersOpaque(), s -> s, Types.STRING)));

        KeyedOneInputStreamOperatorTestHarness<String, String, Long> allowed =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new RemembersOpaque()), s -> s, Types.STRING);
        allowed.open();
        allowed.processElement("a", 0);
        assertEquals(1, allowed.extractOutputValues().size());
        allowed.close();
    }

    /** Flink's own MiniClusterExtension would give tests environments that allow generic types. */
    @Test
    void everyMiniClusterTestUsesFlinkMiniCluster() throws IOException {
        Path repo = Path.of(System.getProperty("turnout.repo.dir", ".."));
        String plain = "new " + "MiniClusterExtension(";
        List<String> offenders = new java.util.ArrayList<>();
        for (String module : List.of("jobs", "tools")) {
            Path tests = repo.resolve(module).resolve("src/test/java");
            assertTrue(Files.isDirectory(tests), tests + " exists");
            try (Stream<Path> files = Files.walk(tests)) {
                files.filter(f -> f.toString().endsWith(".java")).filter(f -> read(f).contains(plain))
                        .forEach(f -> offenders.add(repo.relativize(f).toString()));
            }
        }
        assertEquals(List.of(), offenders, "MiniCluster tests register testing.FlinkMiniCluster (generic types off), not Flink's MiniClusterExtension");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CollectingSink<Long> opaqueStream(StreamExecutionEnvironment env, String name) {
        CollectingSink<Long> sink = new CollectingSink<>(name + System.nanoTime());
        env.fromData(1L, 2L, 3L)
                .map(Opaque::new).returns(Opaque.class)
                .rebalance() // an edge the records cross serialized
                .map(Opaque::value).returns(Types.LONG)
                .sinkTo(sink);
        return sink;
    }

    static CollectingSink<Long> opaqueState(StreamExecutionEnvironment env, String name) {
        CollectingSink<Long> sink = new CollectingSink<>(name + System.nanoTime());
        env.fromData("1", "2", "3").keyBy(s -> s).process(new RemembersOpaque()).sinkTo(sink);
        return sink;
    }

    /** Keeps an {@link Opaque} per key in state (a generic type), emits its value. */
    static final class RemembersOpaque extends KeyedProcessFunction<String, String, Long> {
        private transient ValueState<Opaque> last;

        @Override
        public void open(OpenContext context) {
            last = getRuntimeContext().getState(new ValueStateDescriptor<>("opaque", TypeInformation.of(Opaque.class)));
        }

        @Override
        public void processElement(String value, Context ctx, Collector<Long> out) throws Exception {
            last.update(new Opaque(Long.parseLong(value.equals("a") ? "1" : value)));
            out.collect(last.value().value());
        }
    }

    static void assertRefused(Throwable e) {
        assertTrue(ExceptionUtils.findThrowableWithMessage(e, REFUSED).isPresent(),
                "refused as a generic type: " + ExceptionUtils.stringifyException(e));
        assertTrue(ExceptionUtils.stringifyException(e).contains(Opaque.class.getName()), "names the type");
    }
}
