package org.turnoutstream.workflows;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.Level;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.local.KafkaBroker;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.CapturedLog;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;
import static org.turnoutstream.workflows.ElectionDayScenario.MINUTE;

/**
 * The Kafka broker goes down in the middle of the morning and comes back 15 seconds later, on its own data: the live job
 * (its sources, the exactly-once DLQ and alert sinks) keeps failing its checkpoints and restarts while the broker is away,
 * then goes on from its last checkpoint. HQ's numbers afterwards are exact, every instant of the grid, and each bad record
 * is in the DLQ once, and the log says it in two lines (gone, back), not in a storm of warnings. The broker is this
 * test's own (a real Kafka 4 in its own JVM), so stopping it disturbs no other test.
 */
class BrokerOutageTest {
    static final Instant BREAK = POLLS_OPEN.plusMillis(5 * MINUTE);

    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path work;
    KafkaBroker broker;
    String database;
    long heardClock = POLLS_OPEN.toEpochMilli();

    @Test
    void aBrokerOutageMidMorningLeavesTheNumbersExactAndEachDeadLetterOnce() throws Exception {
        broker = KafkaBroker.start(work.resolve("kafka"), 0);
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("branch.turnout", 2, (short) 1), new NewTopic("branch.connectivity", 2, (short) 1),
                        new NewTopic("branch.alerts", 1, (short) 1), new NewTopic("turnout.dlq", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            database = influx.createDatabase("broker_outage");
            ElectionDayScenario.writeReferenceData(work.resolve("reference"));
            ElectionDayScenario firstHalf = new ElectionDayScenario(17, 10);
            firstHalf.sent.removeIf(r -> !r.getEventTime().isBefore(BREAK));
            ElectionDayScenario wholeMorning = new ElectionDayScenario(17, 10);
            List<TurnoutReport> secondHalf = new ArrayList<>(wholeMorning.sent.subList(firstHalf.sent.size(), wholeMorning.sent.size()));

            JobOptions options = JobOptions.of(
                    "--bootstrap-servers", broker.bootstrapServers(), "--starting-offsets", "earliest", "--group-id", "outage",
                    "--transactional-id-prefix", "outage-" + System.nanoTime(),
                    "--registry-url", registry.url(), "--influx-url", influx.url(), "--influx-database", database,
                    "--election", ELECTION + "=" + work.resolve("reference"), "--correction-horizon", "1h", "--quiet-feed-after", "1s",
                    "--max-out-of-orderness", "1s", "--max-clock-skew", "0", "--feed-silent-after", "0", "--checkpoint-interval", "1s",
                    "--parallelism", "2");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            LiveTurnoutJob.define(env, options);
            JobClient job = env.executeAsync("broker-outage");
            try {
                send(firstHalf.sent, "first-half");
                long breakInstant = ClusterMorning.instantFor(firstHalf.lastEventTime());
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                        .until(() -> nationalBallots().getOrDefault(breakInstant, -1L) == ClusterMorning.nationTruth(firstHalf, breakInstant));

                String kafka = "Kafka at " + broker.bootstrapServers();
                try (CapturedLog log = CapturedLog.of("")) { // everything an operator reads, from the outage on
                    broker.close();               // the broker is gone ...
                    Thread.sleep(15_000);         // ... for a while: the outage is the scenario, not a wait
                    int port = broker.port();
                    broker = KafkaBroker.start(work.resolve("kafka"), port); // ... and back, on its own data
                    send(secondHalf, "second-half");

                    long last = ClusterMorning.instantFor(wholeMorning.lastEventTime());
                    await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250))
                            .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                            .until(() -> nationalBallots().getOrDefault(last, -1L) == ClusterMorning.nationTruth(wholeMorning, last));
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                            .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                            .until(() -> !log.messages(Level.INFO).stream().filter(m -> m.startsWith(kafka)).toList().isEmpty());
                    assertOneLineWhenKafkaGoesAndOneWhenItIsBack(log, kafka);
                }
                ClusterMorning.assertInfluxHoldsTheTruth(influx, database, wholeMorning);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                        .until(() -> deadLetterKeys().size() >= 2);
                assertEquals(List.of("first-half", "second-half"), deadLetterKeys(), "each bad record once in the DLQ (read_committed)");
                assertEquals("RUNNING", job.getJobStatus().get(10, TimeUnit.SECONDS).name(), "counting goes on");
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } finally {
            broker.close();
        }
    }

    /**
     * The log of the outage as an operator reads it: one line of ours when Kafka is unreachable, one when it is back,
     * and not a storm of the clients' reconnect warnings (hundreds a minute before they were quieted).
     */
    static void assertOneLineWhenKafkaGoesAndOneWhenItIsBack(CapturedLog log, String kafka) {
        List<String> warnings = log.warningsAndErrors();
        List<String> gone = log.messages(Level.WARN).stream().filter(m -> m.startsWith(kafka + " unreachable (")).toList();
        List<String> back = log.messages(Level.INFO).stream().filter(m -> m.startsWith(kafka + " reachable again after ")).toList();
        assertEquals(1, gone.size(), "one line when Kafka goes: " + warnings);
        assertEquals(1, back.size(), "one line when it is back: " + back);
        assertTrue(warnings.size() < 20, "a few warnings, not a storm: " + warnings.size() + " " + warnings);
    }

    /** The reports in order, heard at the latest event time sent so far; then one record that is not Avro at all. */
    void send(List<TurnoutReport> reports, String badKey) throws Exception {
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(registry.config(), "branch.turnout", TurnoutReport.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (TurnoutReport report : reports) {
                heardClock = Math.max(heardClock, report.getEventTime().toEpochMilli());
                producer.send(new ProducerRecord<>("branch.turnout", null, heardClock, report.getBranchId().getBytes(StandardCharsets.UTF_8),
                        encoder.encode(report)));
            }
            producer.send(new ProducerRecord<>("branch.turnout", null, heardClock, badKey.getBytes(StandardCharsets.UTF_8),
                    new byte[]{1, 0, 0, 0, 1, 2, 3})).get(30, TimeUnit.SECONDS);
        }
    }

    /** The keys of the committed dead letters, BAD_MAGIC_BYTE each. */
    List<String> deadLetterKeys() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + System.nanoTime());
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("turnout.dlq"));
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(RejectionReason.BAD_MAGIC_BYTE.name(),
                            new String(r.headers().lastHeader(DeadLetterSerializer.REASON).value(), StandardCharsets.UTF_8));
                    keys.add(new String(r.key(), StandardCharsets.UTF_8));
                    quietSince = System.nanoTime();
                }
            }
        }
        return keys;
    }

    TreeMap<Long, Long> nationalBallots() {
        return ClusterMorning.nationalBallots(influx, database);
    }
}
