package org.turnoutstream.workflows;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;

/**
 * The live job end to end on real parts: a Kafka broker, the Apicurio registry (Confluent API), a
 * Flink MiniCluster and influxd. What is asserted is what HQ would check: the numbers in InfluxDB
 * and the records in the dead-letter topic.
 */
class LiveTurnoutJobTest {
    static final long GRID = 10_000;
    static final AtomicInteger RUN = new AtomicInteger();

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path work;
    String turnoutTopic;
    String deadLetterTopic;
    String connectivityTopic;
    String alertsTopic;
    String database;
    ConfluentAvroEncoder<TurnoutReport> encoder;

    @BeforeEach
    void freshTopicsAndDatabase() throws Exception {
        int run = RUN.incrementAndGet();
        turnoutTopic = "branch.turnout.e2e" + run;
        deadLetterTopic = "turnout.dlq.e2e" + run;
        kafka.createTopic(turnoutTopic, 2);
        kafka.createTopic(deadLetterTopic, 1);
        connectivityTopic = "branch.connectivity.e2e" + run;
        alertsTopic = "branch.alerts.e2e-turnout" + run;
        kafka.createTopic(connectivityTopic, 2);
        kafka.createTopic(alertsTopic, 1);
        database = influx.createDatabase("turnout");
        encoder = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        ElectionDayScenario.writeReferenceData(work.resolve("reference"));
    }

    JobOptions options(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--turnout-topic", turnoutTopic,
                "--dlq-topic", deadLetterTopic,
                "--connectivity-topic", connectivityTopic,
                "--alerts-topic", alertsTopic,
                "--transactional-id-prefix", "e2e-turnout-" + alertsTopic,
                "--group-id", "e2e-" + turnoutTopic,
                "--starting-offsets", "earliest",
                "--registry-url", registry.url(),
                "--influx-url", influx.url(),
                "--influx-database", database,
                "--election", ELECTION + "=" + work.resolve("reference"),
                "--max-clock-skew", "0",
                "--parallelism", "2"));
        args.addAll(List.of(extra));
        return JobOptions.of(args.toArray(new String[0]));
    }

    /** The centre's clock: records are heard in the order sent, at the latest event time sent so far. */
    long heardClock = ElectionDayFixtures.POLLS_OPEN.toEpochMilli();

    void send(Producer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(turnoutTopic, null, heardClock, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
                .get(30, TimeUnit.SECONDS);
    }

    void sendReports(List<TurnoutReport> reports) throws Exception {
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (TurnoutReport report : reports) {
                heardClock = Math.max(heardClock, report.getEventTime().toEpochMilli());
                send(producer, report.getBranchId(), encoder.encode(report));
            }
        }
    }

    // ---- what a user checks in InfluxDB ----

    /** constituency -> time -> {ballots, branches_reporting}, as InfluxDB returns them now. */
    Map<String, TreeMap<Long, long[]>> constituencySeries() {
        Map<String, TreeMap<Long, long[]>> series = new HashMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT ballots, branches_reporting, constituency FROM constituency_turnout WHERE election = '" + ELECTION + "'")) {
            series.computeIfAbsent((String) row.get("constituency"), c -> new TreeMap<>())
                    .put(((Number) row.get("time")).longValue(), new long[]{asLong(row.get("ballots")), asLong(row.get("branches_reporting"))});
        }
        return series;
    }

    TreeMap<Long, Long> nationalBallots() {
        TreeMap<Long, Long> series = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database, "SELECT ballots FROM national_turnout WHERE election = '" + ELECTION + "'")) {
            series.put(((Number) row.get("time")).longValue(), asLong(row.get("ballots")));
        }
        return series;
    }

    static long asLong(Object value) {
        return ((Number) value).longValue();
    }

    static long instantFor(long time) {
        return Math.floorDiv(time + GRID - 1, GRID) * GRID;
    }

    /** Every written point equals the truth, the grid is complete up to the last report, and nothing is missing. */
    void assertInfluxHoldsTheTruth(ElectionDayScenario day) {
        Map<String, TreeMap<Long, long[]>> series = constituencySeries();
        assertEquals(ElectionDayScenario.CONSTITUENCIES.size(), series.size(), "one line per constituency, silent ones included");
        long last = instantFor(day.lastEventTime());
        TreeMap<Long, Long> national = nationalBallots();
        assertEquals(last, national.lastKey(), "points reach the last report's instant");
        assertTrue(national.size() >= day.minutes * 6 - 6, "a point every 10 s: " + national.size());
        long previous = Long.MIN_VALUE;
        for (long instant : national.keySet()) {
            if (previous != Long.MIN_VALUE) assertEquals(previous + GRID, instant, "no gap in the grid");
            previous = instant;
            Map<String, long[]> truth = day.truthAt(instant);
            long nation = 0;
            for (Map.Entry<String, long[]> c : truth.entrySet()) {
                long[] written = series.get(c.getKey()).get(instant);
                assertArrayEquals(c.getValue(), written, c.getKey() + " at " + instant);
                nation += c.getValue()[0];
            }
            assertEquals(nation, national.get(instant), "nation at " + instant);
        }
    }

    @Test
    void countsExactlyUnderDuplicatesReorderingLateReportsAndMalformedRecords() throws Exception {
        ElectionDayScenario day = new ElectionDayScenario(7, 12)
                .withDuplicates(15, 1).withReordering(25, 2).withLateReports(6, 3);
        sendReports(day.sent);

        int goodId = registry.client().register(turnoutTopic + "-value", TurnoutReport.getClassSchema());
        Map<RejectionReason, byte[]> bad = new HashMap<>();
        bad.put(RejectionReason.BAD_MAGIC_BYTE, new byte[]{1, 0, 0, 0, 1, 2, 3});
        bad.put(RejectionReason.UNKNOWN_SCHEMA_ID, ByteBuffer.allocate(8).put((byte) 0).putInt(2_000_000_000).put(new byte[]{2, 4, 6}).array());
        bad.put(RejectionReason.CORRUPT_AVRO, ByteBuffer.allocate(7).put((byte) 0).putInt(goodId).put(new byte[]{(byte) 0xff, (byte) 0xff}).array());
        bad.put(RejectionReason.UNKNOWN_ELECTION, encoder.encode(withElection(ElectionDayScenario.report("alb-karaj-0001", "karaj", 99, 5, 0), "2020-unknown")));
        bad.put(RejectionReason.UNKNOWN_BRANCH, encoder.encode(ElectionDayScenario.report("alb-nowhere-0001", "karaj", 1, 5, 0)));
        bad.put(RejectionReason.WRONG_CONSTITUENCY, encoder.encode(ElectionDayScenario.report("alb-karaj-0001", "fardis", 98, 5, 0)));
        bad.put(RejectionReason.NEGATIVE_COUNT, encoder.encode(ElectionDayScenario.report("alb-karaj-0002", "karaj", 97, -5, 0)));
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (Map.Entry<RejectionReason, byte[]> record : bad.entrySet()) send(producer, "key-" + record.getKey(), record.getValue());
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--bounded", "--quiet-feed-after", "0", "--correction-horizon", "1h", "--checkpoint-interval", "1s"));
        env.execute("e2e-exact-totals");

        assertInfluxHoldsTheTruth(day);
        Map<String, long[]> end = day.truthAt(day.lastEventTime());
        assertEquals(0, end.get("shemiranat")[0], "the silent constituency shows zero");

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consumeAll(deadLetterTopic, true, Duration.ofSeconds(1));
        assertEquals(bad.size(), dead.size(), "every bad record, and only those, in the DLQ");
        for (ConsumerRecord<byte[], byte[]> letter : dead) {
            RejectionReason reason = RejectionReason.valueOf(header(letter, DeadLetterSerializer.REASON));
            assertArrayEquals(bad.get(reason), letter.value(), "original bytes kept for " + reason);
            assertEquals("key-" + reason, new String(letter.key(), StandardCharsets.UTF_8));
            assertEquals(turnoutTopic, header(letter, DeadLetterSerializer.SOURCE_TOPIC));
            assertTrue(Long.parseLong(header(letter, DeadLetterSerializer.SOURCE_OFFSET)) >= 0);
            assertTrue(header(letter, DeadLetterSerializer.DETAIL).length() > 5, "a readable reason: " + header(letter, DeadLetterSerializer.DETAIL));
        }
    }

    /**
     * A record just under the broker's limit: whole, its dead letter (with the headers saying why) would be more than
     * the producer and the broker take, fail the job and, read again after each restart, stop the counting for good.
     * It goes to the DLQ with what fits, its original size and SHA-256, and every report around it is counted.
     */
    @Test
    void aRecordJustUnderTheBrokersLimitGoesToTheDlqCutToFitAndTheCountingGoesOn() throws Exception {
        ElectionDayScenario day = new ElectionDayScenario(31, 6);
        int half = day.sent.size() / 2;
        sendReports(day.sent.subList(0, half));
        byte[] huge = new byte[1_048_400];
        new java.util.Random(3).nextBytes(huge);
        huge[0] = 7; // not Confluent-framed
        java.util.Properties props = new java.util.Properties();
        props.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 << 20);
        props.put(org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        props.put(org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        try (Producer<byte[], byte[]> big = new org.apache.kafka.clients.producer.KafkaProducer<>(props)) {
            send(big, "huge", huge); // the broker takes it (message.max.bytes 1,048,588 by default)
        }
        sendReports(day.sent.subList(half, day.sent.size()));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--bounded", "--quiet-feed-after", "0", "--correction-horizon", "1h", "--checkpoint-interval", "1s"));
        JobClient job = env.executeAsync("e2e-oversized-dead-letter");
        try {
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS); // a job failing on the letter restarts forever
        } finally {
            if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) job.cancel().get(30, TimeUnit.SECONDS);
        }

        assertInfluxHoldsTheTruth(day);
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consumeAll(deadLetterTopic, true, Duration.ofSeconds(1));
        assertEquals(1, dead.size(), "the huge record, once");
        ConsumerRecord<byte[], byte[]> letter = dead.get(0);
        assertEquals(RejectionReason.BAD_MAGIC_BYTE.name(), header(letter, DeadLetterSerializer.REASON));
        assertEquals("1048400", header(letter, DeadLetterSerializer.ORIGINAL_SIZE));
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(huge)),
                header(letter, DeadLetterSerializer.ORIGINAL_SHA256));
        assertTrue(letter.value().length > 900_000 && letter.value().length < huge.length, "most of it kept: " + letter.value().length);
        assertArrayEquals(java.util.Arrays.copyOf(huge, letter.value().length), letter.value(), "the value's first bytes");
        assertTrue(header(letter, DeadLetterSerializer.TRUNCATED).startsWith("the value's first " + letter.value().length + " bytes"));
        assertEquals(turnoutTopic, header(letter, DeadLetterSerializer.SOURCE_TOPIC));
        assertEquals("huge", new String(letter.key(), StandardCharsets.UTF_8));
    }

    @Test
    void aLateReportRewritesPublishedPointsWhileTheJobRuns() throws Exception {
        ElectionDayScenario day = new ElectionDayScenario(11, 6);
        // fardis's third report (minute 2) is held back by a broken link
        TurnoutReport heldBack = day.sent.stream()
                .filter(r -> r.getBranchId().equals("alb-fardis-0001") && r.getSequence() == 3).findFirst().orElseThrow();
        List<TurnoutReport> first = new ArrayList<>(day.sent);
        first.remove(heldBack);
        sendReports(first);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--quiet-feed-after", "1s", "--max-out-of-orderness", "1s", "--checkpoint-interval", "1s"));
        JobClient job = env.executeAsync("e2e-late-report");
        try {
            long last = instantFor(day.lastEventTime());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                    .until(() -> nationalBallots().containsKey(last));
            long heldBackInstant = instantFor(heldBack.getEventTime().toEpochMilli());
            long before = nationalBallots().get(heldBackInstant);

            sendReports(List.of(heldBack));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                    .until(() -> nationalBallots().get(heldBackInstant) != before);
            assertInfluxHoldsTheTruth(day);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFailureMidStreamRestartsFromTheCheckpointWithoutDoubleCounting() throws Exception {
        ElectionDayScenario day = new ElectionDayScenario(23, 10).withDuplicates(5, 4).withReordering(10, 5);
        sendReports(day.sent);
        FailOnceAfterCheckpoint.reset(day.sent.size() / 4);

        JobOptions options = options("--bounded", "--quiet-feed-after", "0", "--correction-horizon", "1h", "--checkpoint-interval", "300ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(300);
        DataStream<RawRecord> records = env
                .fromSource(LiveTurnoutJob.turnoutSource(options), LiveTurnoutJob.sourceWatermarks(LiveTurnoutJob.settings(options)), "kafka")
                .map(new FailOnceAfterCheckpoint()).name("fails once");
        TurnoutWorkflow.define(records, ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections)),
                ConfluentAvroDecoder.forTurnoutReports(registry.config()), LiveTurnoutJob.settings(options),
                LiveTurnoutJob.pointSink(options), LiveTurnoutJob.deadLetterSink(options, "turnout"));
        env.execute("e2e-failure-restart");

        assertTrue(FailOnceAfterCheckpoint.failed, "the job failed once mid-stream");
        assertInfluxHoldsTheTruth(day);
    }

    /** Slows the stream so checkpoints happen, then fails the job once after one completed. */
    static class FailOnceAfterCheckpoint implements MapFunction<RawRecord, RawRecord>, CheckpointListener {
        static volatile boolean failed;
        static volatile boolean checkpointed;
        static final AtomicInteger seen = new AtomicInteger();
        static volatile int failAfter;

        static void reset(int after) {
            failed = false;
            checkpointed = false;
            seen.set(0);
            failAfter = after;
        }

        @Override
        public RawRecord map(RawRecord record) throws Exception {
            // Slower until a checkpoint completed, so one does before the input runs out (even on a loaded machine):
            // the scenario, not a wait.
            Thread.sleep(checkpointed || failed ? 15 : 50);
            if (!failed && checkpointed && seen.incrementAndGet() > failAfter) {
                failed = true;
                throw new IllegalStateException("injected failure mid-stream (test)");
            }
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    static TurnoutReport withElection(TurnoutReport report, String election) {
        report.setElection(election);
        return report;
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
