package org.turnoutstream.archive;

import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.schemas.ArchivedRecord;
import org.turnoutstream.testing.CollectingSink;
import org.turnoutstream.testing.FlinkMiniCluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;
import static org.turnoutstream.testing.ElectionDayFixtures.THREE_HOURS_LATER;

/**
 * The archive source on a MiniCluster: three partitions whose heard times interleave, read with fewer readers
 * than partitions. Each record comes once, each reader emits in heard-time order, and no record is behind the
 * watermark (one per partition, as the Kafka source gives); a restart from a checkpoint taken mid-way loses and
 * repeats nothing.
 */
class ArchiveSourceTest {
    static final String TOPIC = "branch.turnout";
    static final int PARTITIONS = 3;
    static final int PER_PARTITION = 300;

    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path archive;
    Set<String> everyRecord;

    /**
     * Every 30 s a record on each partition, partition k heard k * 7 s after partition 0, offsets with gaps; 2.5 hours,
     * so three hour buckets, two files per bucket (as two sink subtasks would write), each partition spread over both.
     */
    @BeforeEach
    void anArchivedMorning() throws IOException {
        Map<Path, List<RawRecord>> files = new TreeMap<>();
        everyRecord = new TreeSet<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            long offset = 1000L * partition;
            for (int i = 0; i < PER_PARTITION; i++) {
                offset += 1 + i % 3;
                long heardAt = POLLS_OPEN.toEpochMilli() + i * 30_000L + partition * 7_000L;
                RawRecord r = new RawRecord(TOPIC, partition, offset, heardAt, ("branch-" + i % 40).getBytes(StandardCharsets.UTF_8),
                        new byte[]{(byte) i});
                Path bucket = archive.resolve("election=e1").resolve(ArchiveBuckets.hourDir(heardAt));
                files.computeIfAbsent(bucket.resolve("part-" + (i / 10) % 2 + "-0.avro"), f -> new ArrayList<>()).add(r);
                everyRecord.add(r.coordinates());
            }
        }
        for (Map.Entry<Path, List<RawRecord>> file : files.entrySet()) write(file.getKey(), file.getValue());
    }

    static void write(Path file, List<RawRecord> records) throws IOException {
        Files.createDirectories(file.getParent());
        try (DataFileWriter<ArchivedRecord> writer = new DataFileWriter<>(new SpecificDatumWriter<>(ArchivedRecord.class))) {
            writer.create(ArchivedRecord.getClassSchema(), file.toFile());
            for (RawRecord r : records) writer.append(ArchiveRecords.fromRaw(r, "e1"));
        }
    }

    ArchiveSource source() throws IOException {
        ArchiveSource.Plan plan = ArchiveSource.plan(archive.toUri().toString(), List.of("e1"), POLLS_OPEN, THREE_HOURS_LATER);
        assertEquals(PARTITIONS, plan.splits().size());
        assertTrue(plan.files().size() >= 6, "several files per partition: " + plan.files());
        return plan.source(TOPIC);
    }

    /**
     * The strictest watermarks for the question: after every record, the watermark is just below its heard time
     * (no out-of-orderness allowed, no waiting for a periodic emit). A record at or below the watermark is late.
     */
    static WatermarkStrategy<RawRecord> watermarkAfterEveryRecord() {
        WatermarkStrategy<RawRecord> strategy = context -> new WatermarkGenerator<>() {
            @Override public void onEvent(RawRecord record, long timestamp, WatermarkOutput output) { output.emitWatermark(new Watermark(timestamp - 1)); }
            @Override public void onPeriodicEmit(WatermarkOutput output) {}
        };
        return strategy.withTimestampAssigner((record, kafkaTimestamp) -> record.heardAt(kafkaTimestamp));
    }

    /** A record as a reader emitted it, with the watermark its subtask had reached before it arrived. */
    public static final class Seen {
        public int subtask;
        public String coordinates;
        public long heardAt;
        public long watermarkBefore;

        public Seen() {}
    }

    static final class Observe extends ProcessFunction<RawRecord, Seen> {
        @Override
        public void processElement(RawRecord record, Context ctx, Collector<Seen> out) {
            Seen seen = new Seen();
            seen.subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            seen.coordinates = record.coordinates();
            seen.heardAt = ctx.timestamp();
            seen.watermarkBefore = ctx.timerService().currentWatermark();
            out.collect(seen);
        }
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2})
    void fewerReadersThanPartitionsEmitInHeardTimeOrderAndNothingIsLate(int parallelism) throws Exception {
        CollectingSink<Seen> seen = new CollectingSink<>("archive-source-order-" + parallelism);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.fromSource(source(), watermarkAfterEveryRecord(), "archive").process(new Observe()).sinkTo(seen);
        env.execute("archive-source-order");

        List<Seen> all = seen.get();
        assertEquals(everyRecord, all.stream().map(s -> s.coordinates).collect(Collectors.toCollection(TreeSet::new)), "every record");
        assertEquals(everyRecord.size(), all.size(), "no record twice");
        List<String> late = all.stream().filter(s -> s.heardAt <= s.watermarkBefore)
                .map(s -> s.coordinates + " heard " + Instant.ofEpochMilli(s.heardAt) + " behind " + Instant.ofEpochMilli(s.watermarkBefore)).toList();
        assertTrue(late.isEmpty(), late.size() + " late records, e.g. " + late.subList(0, Math.min(5, late.size())));
        Map<Integer, Long> lastHeard = new HashMap<>();
        for (Seen s : all) { // the sink list keeps each subtask's emission order
            long previous = lastHeard.getOrDefault(s.subtask, Long.MIN_VALUE);
            assertTrue(s.heardAt >= previous, "subtask " + s.subtask + " emitted " + s.coordinates + " at " + Instant.ofEpochMilli(s.heardAt)
                    + " after a record heard at " + Instant.ofEpochMilli(previous));
            lastHeard.put(s.subtask, s.heardAt);
        }
        assertEquals(parallelism, lastHeard.size(), "every reader got partitions");
    }

    /** What each subtask of {@link FailOnceAfterACheckpoint} held at its last close, and what it was restored with. */
    static final Map<Integer, List<String>> HELD = new ConcurrentHashMap<>();
    static final AtomicLong RESTORED_WITH = new AtomicLong();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /**
     * Keeps the coordinates it has seen in operator state; once, after a checkpoint has completed with records in
     * it and before the end, it fails. Slow enough that checkpoints fall mid-way.
     */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<RawRecord, RawRecord> implements CheckpointedFunction, CheckpointListener {
        private transient ListState<String> state;
        private transient List<String> held;
        private transient boolean checkpointed;

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("seen", String.class));
            held = new ArrayList<>();
            state.get().forEach(held::add);
            if (context.isRestored()) RESTORED_WITH.addAndGet(held.size());
        }

        @Override
        public RawRecord map(RawRecord record) throws Exception {
            Thread.sleep(2); // the scenario: slow enough that a checkpoint completes before the failure
            held.add(record.coordinates());
            if (checkpointed && held.size() > 100 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("a failure mid-way (expected by the test)");
            }
            return record;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(held);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (!held.isEmpty()) checkpointed = true;
        }

        @Override
        public void close() {
            HELD.put(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), new ArrayList<>(held));
        }
    }

    @Test
    void aRestartFromACheckpointMidWayGivesEachRecordOnce() throws Exception {
        HELD.clear();
        RESTORED_WITH.set(0);
        FAILED.set(false);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(50);
        env.fromSource(source(), watermarkAfterEveryRecord(), "archive").map(new FailOnceAfterACheckpoint()).sinkTo(new CollectingSink<>("archive-source-restart"));
        env.execute("archive-source-restart");

        assertTrue(FAILED.get(), "the job failed once");
        assertTrue(RESTORED_WITH.get() > 0 && RESTORED_WITH.get() < everyRecord.size(), "restored mid-way: " + RESTORED_WITH.get());
        List<String> held = HELD.values().stream().flatMap(List::stream).toList();
        assertEquals(everyRecord, new TreeSet<>(held), "none lost");
        assertEquals(everyRecord.size(), held.size(), "none twice");
    }
}
