package org.turnoutstream.workflows;

import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.junit.jupiter.api.Test;
import org.turnoutstream.archive.ArchiveSource;
import org.turnoutstream.bench.BenchJobs;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.registry.RegistryConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.turnoutstream.workflows.JobGraphTypesTest.options;

/**
 * The Kafka sources of a bounded run (a Kafka replay, the bench) read their partitions aligned (one group across both
 * topics, at most {@code --max-watermark-drift} apart in event time); {@code --max-watermark-drift 0} reads them as
 * they come; a live (unbounded) run and the archive's reader (it cannot pause a split) are never aligned.
 */
class SourceAlignmentTest {

    /** Each source of the job graph: its name -> alignment group and drift ("off" when not aligned). */
    static Map<String, String> alignment(StreamExecutionEnvironment env) {
        Map<String, String> out = new TreeMap<>();
        Set<Transformation<?>> seen = new HashSet<>();
        List<Transformation<?>> todo = new ArrayList<>(env.getTransformations());
        while (!todo.isEmpty()) {
            Transformation<?> t = todo.remove(todo.size() - 1);
            if (!seen.add(t)) continue;
            todo.addAll(t.getInputs());
            if (t instanceof SourceTransformation<?, ?, ?> source) {
                WatermarkAlignmentParams params = source.getWatermarkStrategy().getAlignmentParameters();
                out.put(source.getName(), params.isEnabled()
                        ? params.getWatermarkGroup() + " " + Duration.ofMillis(params.getMaxAllowedWatermarkDrift())
                        + " every " + Duration.ofMillis(params.getUpdateInterval())
                        : "off");
            }
        }
        return out;
    }

    @Test
    void aLiveJobIsNotAlignedABoundedOneIsAsOneGroupOverBothTopics() {
        StreamExecutionEnvironment live = StreamExecutionEnvironment.createLocalEnvironment(2);
        LiveTurnoutJob.define(live, options("--max-watermark-drift", "10m"));
        assertEquals(Map.of("kafka: branch.turnout", "off", "kafka: branch.connectivity", "off"), alignment(live),
                "a quiet partition would hold a catch-up to wall-clock speed");

        StreamExecutionEnvironment bounded = StreamExecutionEnvironment.createLocalEnvironment(2);
        LiveTurnoutJob.define(bounded, options("--bounded"));
        assertEquals(Map.of("kafka: branch.turnout", "turnout-feeds PT5M every PT1S", "kafka: branch.connectivity", "turnout-feeds PT5M every PT1S"),
                alignment(bounded));

        StreamExecutionEnvironment unaligned = StreamExecutionEnvironment.createLocalEnvironment(2);
        LiveTurnoutJob.define(unaligned, options("--bounded", "--max-watermark-drift", "0"));
        assertEquals(Map.of("kafka: branch.turnout", "off", "kafka: branch.connectivity", "off"), alignment(unaligned));

        StreamExecutionEnvironment wider = StreamExecutionEnvironment.createLocalEnvironment(2);
        LiveTurnoutJob.define(wider, options("--bounded", "--max-watermark-drift", "10m"));
        assertEquals("turnout-feeds PT10M every PT1S", alignment(wider).get("kafka: branch.turnout"));
    }

    @Test
    void aKafkaReplayAndTheBenchAreAlignedTheArchiveIsNot() {
        JobOptions options = options("--bounded");
        LiveTurnoutJob.Sinks sinks = new LiveTurnoutJob.Sinks(LiveTurnoutJob.pointSink(options), LiveTurnoutJob.deadLetterSink(options, "turnout"),
                LiveTurnoutJob.deadLetterSink(options, "connectivity"), LiveTurnoutJob.alertSink(options, RegistryConfig.of(options.registryUrl)));
        StreamExecutionEnvironment kafka = StreamExecutionEnvironment.createLocalEnvironment(2);
        ReplayJob.define(kafka, options, "run-1", LiveTurnoutJob.turnoutSource(options), LiveTurnoutJob.connectivitySource(options), sinks, 0, -1);
        assertEquals(Map.of("replay: branch.turnout", "turnout-feeds PT5M every PT1S", "replay: branch.connectivity", "turnout-feeds PT5M every PT1S"),
                alignment(kafka));

        StreamExecutionEnvironment fromArchive = StreamExecutionEnvironment.createLocalEnvironment(2);
        ReplayJob.define(fromArchive, options, "run-2", ArchiveSource.empty(), ArchiveSource.empty(), sinks, 0, -1);
        assertEquals(Map.of("replay: branch.turnout", "off", "replay: branch.connectivity", "off"), alignment(fromArchive));

        StreamExecutionEnvironment bench = StreamExecutionEnvironment.createLocalEnvironment(2);
        BenchJobs.defineReal(bench, options, "branch.connectivity");
        assertEquals(Map.of("kafka: both topics", "turnout-feeds PT5M every PT1S"), alignment(bench));
    }
}
