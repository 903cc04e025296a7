package org.turnoutstream.workflows;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;

/**
 * The cluster tests' election morning on the real broker, registry and influxd: the job jar's arguments, the
 * reports sent as the gateways send them, and what HQ then sees in InfluxDB, checked against the naive recount.
 */
final class ClusterMorning {
    static final long GRID = 10_000;

    final KafkaBrokerExtension kafka;
    final SchemaRegistryExtension registry;
    final InfluxDbExtension influx;
    final String suffix;
    final String turnoutTopic;
    final String deadLetterTopic;
    final String database;
    final ConfluentAvroEncoder<TurnoutReport> encoder;
    /** The centre's clock: records are heard in the order sent, at the latest event time sent so far (the Kafka timestamp). */
    long heardClock = ElectionDayFixtures.POLLS_OPEN.toEpochMilli();

    /** Creates the topics (named with {@code suffix}) and the database. */
    ClusterMorning(KafkaBrokerExtension kafka, SchemaRegistryExtension registry, InfluxDbExtension influx, String suffix) throws Exception {
        this.kafka = kafka;
        this.registry = registry;
        this.influx = influx;
        this.suffix = suffix;
        this.turnoutTopic = "branch.turnout." + suffix;
        this.deadLetterTopic = "turnout.dlq." + suffix;
        kafka.createTopic(turnoutTopic, 2);
        kafka.createTopic(deadLetterTopic, 1);
        kafka.createTopic("branch.connectivity." + suffix, 2);
        kafka.createTopic("branch.alerts." + suffix, 1);
        this.database = influx.createDatabase("turnout_" + suffix);
        this.encoder = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
    }

    /** The live job's arguments for this morning, its reference data in {@code reference}. */
    List<String> jobArgs(Path reference) {
        return List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--turnout-topic", turnoutTopic,
                "--dlq-topic", deadLetterTopic,
                "--connectivity-topic", "branch.connectivity." + suffix,
                "--alerts-topic", "branch.alerts." + suffix,
                "--transactional-id-prefix", suffix + "-it",
                "--group-id", suffix + "-it",
                "--starting-offsets", "earliest",
                "--registry-url", registry.url(),
                "--influx-url", influx.url(),
                "--influx-database", database,
                "--election", ELECTION + "=" + reference,
                "--correction-horizon", "1h",
                "--quiet-feed-after", "1s",
                "--max-out-of-orderness", "1s",
                "--max-clock-skew", "0",
                "--feed-silent-after", "0",
                "--checkpoint-interval", "2s",
                "--parallelism", "2");
    }

    /** The shaded jar {@code mvn package} built: {@code turnout.job.jar} (set by failsafe) or jobs/target. */
    static Path jobJar() {
        String configured = System.getProperty("turnout.job.jar");
        Path jar = configured != null ? Paths.get(configured) : Paths.get("target", "turnout-jobs-0.1.0-SNAPSHOT-job.jar");
        assertTrue(Files.isRegularFile(jar), "the shaded job jar is missing at " + jar.toAbsolutePath()
                + "; this test runs after `mvn package` (failsafe, integration-test phase)");
        return jar;
    }

    void sendReports(List<TurnoutReport> reports) throws Exception {
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (TurnoutReport report : reports) {
                heardClock = Math.max(heardClock, report.getEventTime().toEpochMilli()); // heard in the order sent
                producer.send(new ProducerRecord<>(turnoutTopic, null, heardClock, report.getBranchId().getBytes(StandardCharsets.UTF_8),
                                encoder.encode(report)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    void sendMalformed(String key) throws Exception {
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(turnoutTopic, null, heardClock, key.getBytes(StandardCharsets.UTF_8), new byte[]{1, 0, 0, 0, 1, 2, 3}))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    List<ConsumerRecord<byte[], byte[]>> deadLetters() {
        return kafka.consumeAll(deadLetterTopic, false, Duration.ofMillis(500));
    }

    // ---- what HQ sees in InfluxDB ----

    TreeMap<Long, Long> nationalBallots() {
        return nationalBallots(influx, database);
    }

    Map<String, TreeMap<Long, long[]>> constituencySeries() {
        return constituencySeries(influx, database);
    }

    /** The national series of the election in {@code database}: time -> ballots. */
    static TreeMap<Long, Long> nationalBallots(InfluxDbExtension influx, String database) {
        TreeMap<Long, Long> series = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database, "SELECT ballots FROM national_turnout WHERE election = '" + ELECTION + "'")) {
            series.put(((Number) row.get("time")).longValue(), ((Number) row.get("ballots")).longValue());
        }
        return series;
    }

    /** The constituency series of the election in {@code database}: constituency -> time -> {ballots, branches reporting}. */
    static Map<String, TreeMap<Long, long[]>> constituencySeries(InfluxDbExtension influx, String database) {
        Map<String, TreeMap<Long, long[]>> series = new java.util.HashMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT ballots, branches_reporting, constituency FROM constituency_turnout WHERE election = '" + ELECTION + "'")) {
            series.computeIfAbsent((String) row.get("constituency"), c -> new TreeMap<>()).put(((Number) row.get("time")).longValue(),
                    new long[]{((Number) row.get("ballots")).longValue(), ((Number) row.get("branches_reporting")).longValue()});
        }
        return series;
    }

    /** Whether the nation's point at the day's last report's instant holds the truth. */
    boolean nationReached(ElectionDayScenario day) {
        long last = instantFor(day.lastEventTime());
        Long ballots = nationalBallots().get(last);
        return ballots != null && ballots == nationTruth(day, last);
    }

    static long nationTruth(ElectionDayScenario day, long instant) {
        return day.truthAt(instant).values().stream().mapToLong(v -> v[0]).sum();
    }

    static long instantFor(long time) {
        return Math.floorDiv(time + GRID - 1, GRID) * GRID;
    }

    /** Every point up to the last report's instant equals the naive recount; no gap in the grid. */
    void assertInfluxHoldsTheTruth(ElectionDayScenario day) {
        assertInfluxHoldsTheTruth(influx, database, day);
    }

    /** As above, for the election's series in {@code database}. */
    static void assertInfluxHoldsTheTruth(InfluxDbExtension influx, String database, ElectionDayScenario day) {
        Map<String, TreeMap<Long, long[]>> series = constituencySeries(influx, database);
        TreeMap<Long, Long> national = nationalBallots(influx, database);
        assertEquals(ElectionDayScenario.CONSTITUENCIES.size(), series.size(), "one line per constituency");
        assertEquals(instantFor(day.lastEventTime()), national.lastKey(), "points reach the last report's instant");
        long previous = Long.MIN_VALUE;
        for (long instant : national.keySet()) {
            if (previous != Long.MIN_VALUE) assertEquals(previous + GRID, instant, "no gap in the grid");
            previous = instant;
            Map<String, long[]> truth = day.truthAt(instant);
            for (Map.Entry<String, long[]> c : truth.entrySet()) {
                assertArrayEquals(c.getValue(), series.get(c.getKey()).get(instant), c.getKey() + " at " + Instant.ofEpochMilli(instant));
            }
            assertEquals(nationTruth(day, instant), national.get(instant), "nation at " + Instant.ofEpochMilli(instant));
        }
    }
}
