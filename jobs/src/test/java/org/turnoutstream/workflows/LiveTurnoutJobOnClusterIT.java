package org.turnoutstream.workflows;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.TurnoutJob;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.registry.ConfluentAvroEncoder;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.FlinkClusterExtension;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;
import static org.turnoutstream.workflows.ElectionDayScenario.MINUTE;
import static org.turnoutstream.workflows.ElectionDayScenario.POLLS_OPEN;

/**
 * The shaded job jar on a real standalone Flink cluster, as an operator deploys it: a JobManager and a
 * TaskManager in their own JVMs, the jar uploaded and run through the REST API against the real broker,
 * registry and influxd. The morning's first half is counted; the job is stopped with a savepoint (an
 * upgrade, a move to other machines); the second half arrives while it is down; the job resumes from the
 * savepoint and HQ's numbers are exact, with nothing counted or dead-lettered twice.
 *
 * <p>Runs in the integration-test phase (maven-failsafe), after {@code package} has built the jar.
 */
class LiveTurnoutJobOnClusterIT {
    static final long GRID = 10_000;
    static final int MINUTES = 10;
    static final long SEED = 31;
    static final Instant BREAK = POLLS_OPEN.plusMillis(5 * MINUTE);
    /** Its link dies at the break: it must still count with its last report after the restore. */
    static final String BRANCH_GONE_DARK = "alb-fardis-0001";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkClusterExtension flink = new FlinkClusterExtension();

    @TempDir Path work;
    String turnoutTopic = "branch.turnout.cluster";
    String deadLetterTopic = "turnout.dlq.cluster";
    String database;
    ConfluentAvroEncoder<TurnoutReport> encoder;
    final List<String> jobsToCancel = new ArrayList<>();

    @BeforeEach
    void topicsDatabaseAndReferenceData() throws Exception {
        kafka.createTopic(turnoutTopic, 2);
        kafka.createTopic(deadLetterTopic, 1);
        kafka.createTopic("branch.connectivity.cluster", 2);
        kafka.createTopic("branch.alerts.cluster", 1);
        database = influx.createDatabase("turnout_cluster");
        encoder = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        ElectionDayScenario.writeReferenceData(work.resolve("reference"));
    }

    @AfterEach
    void cancelLeftoverJobs() {
        for (String job : jobsToCancel) {
            if (!"FINISHED".equals(flink.jobState(job)) && !"CANCELED".equals(flink.jobState(job))) flink.cancel(job);
        }
    }

    @Test
    void theJobJarCountsOnAClusterAndResumesFromASavepointWithoutDoubleCounting() throws Exception {
        assertNotEquals(ProcessHandle.current().pid(), flink.cluster().jobManagerPid());
        assertNotEquals(flink.cluster().jobManagerPid(), flink.cluster().taskManagerPid(), "JobManager and TaskManager are separate JVMs");

        ElectionDayScenario firstHalf = new ElectionDayScenario(SEED, MINUTES);
        firstHalf.sent.removeIf(r -> !r.getEventTime().isBefore(BREAK));
        ElectionDayScenario wholeMorning = new ElectionDayScenario(SEED, MINUTES);
        wholeMorning.sent.removeIf(r -> r.getBranchId().equals(BRANCH_GONE_DARK) && !r.getEventTime().isBefore(BREAK));
        List<TurnoutReport> secondHalf = new ArrayList<>(wholeMorning.sent.subList(firstHalf.sent.size(), wholeMorning.sent.size()));
        assertEquals(firstHalf.sent, wholeMorning.sent.subList(0, firstHalf.sent.size()), "the same seeded morning");
        // a gateway re-sends a report of the first half once its link is back: a duplicate, worth nothing
        TurnoutReport resent = firstHalf.sent.get(firstHalf.sent.size() / 2);
        wholeMorning.sent.add(resent);

        // ---- the first half, counted by the jar on the cluster ----
        sendReports(firstHalf.sent);
        sendMalformed("first-half");
        String jarId = flink.uploadJar(jobJar());
        String firstRun = flink.runJar(jarId, TurnoutJob.class.getName(), jobArgs(), null);
        jobsToCancel.add(firstRun);
        flink.awaitRunning(firstRun, Duration.ofSeconds(90));

        long breakInstant = instantFor(firstHalf.lastEventTime());
        eventually(Duration.ofSeconds(120), () -> nationalBallots().containsKey(breakInstant)
                && nationalBallots().get(breakInstant) == nationTruth(firstHalf, breakInstant), firstRun);
        assertInfluxHoldsTheTruth(firstHalf);
        eventually(Duration.ofSeconds(60), () -> deadLetters().size() == 1, firstRun);

        // ---- stopped with a savepoint (an upgrade); the second half arrives meanwhile ----
        String savepoint = flink.stopWithSavepoint(firstRun, work.resolve("savepoints"), Duration.ofSeconds(120));
        assertEquals("FINISHED", flink.awaitTerminal(firstRun, Duration.ofSeconds(60)), "stop with savepoint finishes the job");
        assertTrue(Files.exists(Paths.get(java.net.URI.create(savepoint)).resolve("_metadata")), "savepoint metadata at " + savepoint);
        sendReports(secondHalf);
        sendReports(List.of(resent));
        sendMalformed("second-half");

        // ---- resumed from the savepoint ----
        String secondRun = flink.runJar(jarId, TurnoutJob.class.getName(), jobArgs(), savepoint);
        jobsToCancel.add(secondRun);
        assertNotEquals(firstRun, secondRun);
        flink.awaitRunning(secondRun, Duration.ofSeconds(90));
        assertEquals(savepoint, flink.restoredFrom(secondRun), "the second run restored the savepoint");

        long last = instantFor(wholeMorning.lastEventTime());
        eventually(Duration.ofSeconds(120), () -> nationalBallots().containsKey(last)
                && nationalBallots().get(last) == nationTruth(wholeMorning, last), secondRun);
        assertInfluxHoldsTheTruth(wholeMorning);
        long[] fardis = constituencySeries().get("fardis").get(last);
        assertArrayEquals(wholeMorning.truthAt(last).get("fardis"), fardis, "the dark branch keeps its last count across the restore");
        assertTrue(fardis[0] > 0 && fardis[1] == 1, "fardis reported before the break: " + fardis[0]);

        // the job resumed at the savepoint's offsets (both runs were told --starting-offsets earliest):
        // the first half was not read again, so its bad record was dead-lettered once
        eventually(Duration.ofSeconds(60), () -> deadLetters().size() >= 2, secondRun);
        List<ConsumerRecord<byte[], byte[]>> dead = deadLetters();
        assertEquals(List.of("first-half", "second-half"), dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList());
        for (ConsumerRecord<byte[], byte[]> letter : dead) {
            assertEquals(RejectionReason.BAD_MAGIC_BYTE.name(),
                    new String(letter.headers().lastHeader(DeadLetterSerializer.REASON).value(), StandardCharsets.UTF_8));
        }
        assertEquals("RUNNING", flink.jobState(secondRun));
        assertTrue(flink.cluster().isAlive(), "both cluster processes still up");
    }

    List<String> jobArgs() {
        return List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--turnout-topic", turnoutTopic,
                "--dlq-topic", deadLetterTopic,
                "--connectivity-topic", "branch.connectivity.cluster",
                "--alerts-topic", "branch.alerts.cluster",
                "--transactional-id-prefix", "cluster-it",
                "--group-id", "cluster-it",
                "--starting-offsets", "earliest",
                "--registry-url", registry.url(),
                "--influx-url", influx.url(),
                "--influx-database", database,
                "--election", ELECTION + "=" + work.resolve("reference"),
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

    /** The centre's clock: records are heard in the order sent, at the latest event time sent so far (the Kafka timestamp). */
    long heardClock = ElectionDayScenario.POLLS_OPEN.toEpochMilli();

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
        TreeMap<Long, Long> series = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database, "SELECT ballots FROM national_turnout WHERE election = '" + ELECTION + "'")) {
            series.put(((Number) row.get("time")).longValue(), ((Number) row.get("ballots")).longValue());
        }
        return series;
    }

    Map<String, TreeMap<Long, long[]>> constituencySeries() {
        Map<String, TreeMap<Long, long[]>> series = new java.util.HashMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT ballots, branches_reporting, constituency FROM constituency_turnout WHERE election = '" + ELECTION + "'")) {
            series.computeIfAbsent((String) row.get("constituency"), c -> new TreeMap<>()).put(((Number) row.get("time")).longValue(),
                    new long[]{((Number) row.get("ballots")).longValue(), ((Number) row.get("branches_reporting")).longValue()});
        }
        return series;
    }

    static long nationTruth(ElectionDayScenario day, long instant) {
        return day.truthAt(instant).values().stream().mapToLong(v -> v[0]).sum();
    }

    static long instantFor(long time) {
        return Math.floorDiv(time + GRID - 1, GRID) * GRID;
    }

    /** Every point up to the last report's instant equals the naive recount; no gap in the grid. */
    void assertInfluxHoldsTheTruth(ElectionDayScenario day) {
        Map<String, TreeMap<Long, long[]>> series = constituencySeries();
        TreeMap<Long, Long> national = nationalBallots();
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

    void eventually(Duration timeout, BooleanSupplier condition, String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException notYet) {
                // the series may not exist yet
            }
            String state = flink.jobState(jobId);
            if (!"RUNNING".equals(state) && !"CREATED".equals(state) && !"INITIALIZING".equals(state)) {
                throw new AssertionError("job " + jobId + " is " + state + ": " + flink.exceptions(jobId));
            }
            Thread.sleep(250);
        }
        throw new AssertionError("condition not met within " + timeout + "; job " + flink.jobState(jobId) + ", exceptions "
                + flink.exceptions(jobId) + "\n" + flink.cluster().logTails());
    }
}
