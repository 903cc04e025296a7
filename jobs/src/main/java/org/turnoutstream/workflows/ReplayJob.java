package org.turnoutstream.workflows;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.reference.ElectionCatalog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replay: the live job's workflows ({@link LiveTurnoutJob#workflows}: the same code path) over bounded
 * sources (an exact Kafka range, or the archive) and with the replay's sinks. Between each source and the
 * workflows there is only a counter (progress) and, for rehearsals, a pacer; records pass unchanged.
 */
public final class ReplayJob {
    public static final String NAME = "turnout-replay";
    public static final String RECORDS_ACCUMULATOR = "replay-records";

    private ReplayJob() {}

    /** The live job's source watermarks: when the centre heard each record (its Kafka timestamp), per partition. */
    public static WatermarkStrategy<RawRecord> sourceWatermarks(JobOptions options) {
        return LiveTurnoutJob.sourceWatermarks(LiveTurnoutJob.settings(options));
    }

    /** A Kafka range is read aligned like the live job ({@link LiveTurnoutJob#kafkaWatermarks}); the archive's reader is not. */
    static WatermarkStrategy<RawRecord> sourceWatermarks(JobOptions options, Source<RawRecord, ?, ?> source) {
        return source instanceof KafkaSource ? LiveTurnoutJob.kafkaWatermarks(options) : sourceWatermarks(options);
    }

    /**
     * Wires the replay. {@code options} must be the live job's counting options (grid, horizon, ...), with
     * {@code bounded} set; {@code speed} > 0 paces the records at that many times real speed from
     * {@code originMillis} (a Kafka timestamp: the start of the range; -1: the first record's).
     */
    public static void define(StreamExecutionEnvironment env, JobOptions options, String runId,
                              Source<RawRecord, ?, ?> turnoutSource, Source<RawRecord, ?, ?> connectivitySource,
                              LiveTurnoutJob.Sinks sinks, double speed, long originMillis) {
        if (!options.bounded) throw new IllegalArgumentException("a replay is bounded (options.bounded)");
        if (options.parallelism != null) env.setParallelism(options.parallelism);
        if (!options.checkpointInterval.isZero()) env.enableCheckpointing(options.checkpointInterval.toMillis());
        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections));
        RegistryConfig registry = RegistryConfig.of(options.registryUrl).withCredentials(options.registryUser, options.registryPassword());

        DataStream<RawRecord> turnoutRecords = env
                .fromSource(turnoutSource, sourceWatermarks(options, turnoutSource), "replay: " + options.turnoutTopic).uid("turnout-source")
                .map(new Replayed(runId, speed, originMillis)).name("replayed turnout records").uid("replayed-turnout");
        DataStream<RawRecord> connectivityRecords = env
                .fromSource(connectivitySource, sourceWatermarks(options, connectivitySource), "replay: " + options.connectivityTopic).uid("connectivity-source")
                .map(new Replayed(runId, speed, originMillis)).name("replayed connectivity records").uid("replayed-connectivity");
        LiveTurnoutJob.workflows(turnoutRecords, connectivityRecords, catalog, registry, options, sinks);
    }

    /** Records replayed so far by the run's subtasks in this JVM (the embedded MiniCluster), for the progress bar. */
    public static long recordsReplayed(String runId) {
        AtomicLong n = PROGRESS.get(runId);
        return n == null ? 0 : n.get();
    }

    private static final Map<String, AtomicLong> PROGRESS = new ConcurrentHashMap<>();

    /** Counts each record (accumulator + in-JVM progress) and, at speed > 0, holds it until its time has come. */
    static final class Replayed extends RichMapFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final String runId;
        private final double speed;
        private final long originMillis;
        private transient LongCounter counter;
        private transient AtomicLong progress;
        private transient long wallStart;
        private transient long origin;

        Replayed(String runId, double speed, long originMillis) {
            this.runId = runId;
            this.speed = speed;
            this.originMillis = originMillis;
        }

        @Override
        public void open(OpenContext openContext) {
            counter = new LongCounter();
            getRuntimeContext().addAccumulator(RECORDS_ACCUMULATOR + "-" + getRuntimeContext().getTaskInfo().getTaskName()
                    + "-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), counter);
            progress = PROGRESS.computeIfAbsent(runId, id -> new AtomicLong());
            wallStart = System.currentTimeMillis();
            origin = originMillis;
        }

        @Override
        public RawRecord map(RawRecord record) throws InterruptedException {
            if (speed > 0) {
                if (origin < 0) origin = record.timestamp; // a range by offsets: the clock starts at the first record
                long due = wallStart + (long) ((record.timestamp - origin) / speed);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) Thread.sleep(wait);
            }
            counter.add(1);
            progress.incrementAndGet();
            return record;
        }
    }
}
