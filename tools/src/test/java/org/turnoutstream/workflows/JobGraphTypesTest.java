package org.turnoutstream.workflows;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.turnoutstream.bench.BenchJobs;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.registry.RegistryConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every job graph the project runs (live, with the archive; replay; the two benchmark jobs) turns generic types
 * off in its environment and builds under it: no record between two operators falls back to Kryo (the graph
 * would not build). Nothing runs here (no broker, no cluster): state is checked when the jobs run in the
 * MiniCluster tests, which refuse generic types too ({@code testing.FlinkMiniCluster}).
 */
class JobGraphTypesTest {
    static final Path REFERENCE = Path.of(System.getProperty("turnout.repo.dir", "..")).resolve("reference/alborz-synthetic")
            .toAbsolutePath().normalize();

    static JobOptions options(String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:9", "--registry-url", "http://localhost:9",
                "--influx-url", "http://localhost:9", "--election", "2024-majlis-r1=" + REFERENCE, "--checkpoint-interval", "1s",
                "--parallelism", "2"));
        args.addAll(List.of(extra));
        return JobOptions.of(args.toArray(new String[0]));
    }

    /** A plain local environment: not a test context (those have generic types off already). */
    static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        assertFalse(env.getConfig().getSerializerConfig().hasGenericTypesDisabled(), "Flink's default: generic types allowed");
        return env;
    }

    static void assertNoKryo(StreamExecutionEnvironment env) {
        assertTrue(env.getConfig().getSerializerConfig().hasGenericTypesDisabled(), "the job turns generic types off");
        StreamGraph graph = env.getStreamGraph(); // refuses any generic type on an edge
        for (StreamNode node : graph.getStreamNodes()) {
            for (TypeSerializer<?> in : node.getTypeSerializersIn()) {
                assertFalse(in instanceof KryoSerializer, node.getOperatorName() + " reads with " + in);
            }
            assertFalse(node.getTypeSerializerOut() instanceof KryoSerializer, node.getOperatorName() + " writes with " + node.getTypeSerializerOut());
        }
        assertTrue(graph.getStreamNodes().size() > 5, "the whole job: " + graph.getStreamNodes().size() + " operators");
        // what the tasks get: chained operators with several outputs hand records on without copying them
        org.apache.flink.api.common.ExecutionConfig tasks;
        try {
            tasks = graph.getJobGraph().getSerializedExecutionConfig().deserializeValue(JobGraphTypesTest.class.getClassLoader());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertTrue(tasks.isObjectReuseEnabled(), "the tasks run with object reuse");
        assertTrue(tasks.getSerializerConfig().hasGenericTypesDisabled(), "the tasks refuse generic types");
    }

    @Test
    void theLiveJobWithItsArchive(@org.junit.jupiter.api.io.TempDir Path archive) {
        StreamExecutionEnvironment env = environment();
        LiveTurnoutJob.define(env, options("--archive-dir", archive.toUri().toString()));
        assertNoKryo(env);
    }

    @Test
    void aReplay() {
        JobOptions options = options("--bounded");
        StreamExecutionEnvironment env = environment();
        ReplayJob.define(env, options, "run-1", LiveTurnoutJob.turnoutSource(options), LiveTurnoutJob.connectivitySource(options),
                new LiveTurnoutJob.Sinks(LiveTurnoutJob.pointSink(options), LiveTurnoutJob.deadLetterSink(options, "turnout"),
                        LiveTurnoutJob.deadLetterSink(options, "connectivity"), LiveTurnoutJob.alertSink(options, RegistryConfig.of(options.registryUrl))),
                0, -1);
        assertNoKryo(env);
    }

    @Test
    void theBenchmarkJobs() {
        StreamExecutionEnvironment real = environment();
        BenchJobs.defineReal(real, options("--bounded"), "branch.connectivity");
        assertNoKryo(real);

        StreamExecutionEnvironment ceiling = environment();
        BenchJobs.defineCeiling(ceiling, "localhost:9", "http://localhost:9", "branch.turnout", "branch.connectivity");
        assertTrue(ceiling.getConfig().getSerializerConfig().hasGenericTypesDisabled());
        ceiling.getStreamGraph();
    }
}
