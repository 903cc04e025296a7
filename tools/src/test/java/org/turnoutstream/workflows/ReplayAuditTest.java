package org.turnoutstream.workflows;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.cli.TurnoutCli;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.cli.Cli;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import picocli.CommandLine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One seeded simulated election day with every fault kind (duplicates, reordering, late, malformed, branch and
 * constituency outages) goes through Kafka into the live job, which also archives it. Replays of that day (from
 * Kafka by time, from the archive, in BATCH mode) and the audit are then checked against the live series.
 */
class ReplayAuditTest {
    static final String ELECTION = "2024-replay-r1";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir static Path work;
    static Path reference;
    static Path archive;
    static String liveDatabase;
    static String auditDatabase;
    static Instant sentFrom;
    static Instant sentTo;
    static final String TURNOUT = "replay-e2e.branch.turnout";
    static final String CONNECTIVITY = "replay-e2e.branch.connectivity";
    static final String DLQ = "replay-e2e.turnout.dlq";
    static final String ALERTS = "replay-e2e.branch.alerts";
    static final String REPLAY_ALERTS = "replay-e2e.branch.alerts.replay";

    /** The seeded day, sent once, counted live (with the archive on) once, for every test of the class. */
    @BeforeAll
    static void aFaultyDayCountedLive() throws Exception {
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(60).withConstituencies(5).withProvinces(2).withEligibleVoters(60_000L).validate());
        reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);
        // More partitions than the parallelism (2): a reader holds two partitions of each topic, so the live run, the
        // replays and the archive replay must all keep event time per partition to count and alert alike.
        kafka.createTopic(TURNOUT, 3);
        kafka.createTopic(CONNECTIVITY, 3);
        kafka.createTopic(DLQ, 1);
        kafka.createTopic(ALERTS, 1);
        kafka.createTopic(REPLAY_ALERTS, 1);
        liveDatabase = influx.createDatabase("live");
        auditDatabase = influx.createDatabase("audit");

        Path truthFile = work.resolve("truth.json");
        run("simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--polls-open", "08:00", "--polls-close", "09:30", "--max",
                "--seed", "1403", "--duplicate-rate", "0.05", "--reorder-rate", "0.05", "--late-rate", "0.03", "--malformed-rate", "0.02",
                "--outage-rate", "0.25", "--region-outage-rate", "0.5", "--truth", truthFile.toString());
        GroundTruth truth = GroundTruth.read(truthFile);
        // the simulator stamps each record with its simulated send time: the day's range, late records included
        sentFrom = Instant.parse(truth.pollsOpen()).minusSeconds(60);
        sentTo = Instant.parse(truth.pollsClose()).plus(Duration.ofHours(1));
        for (String kind : List.of("DUPLICATE", "REORDERED", "LATE", "BRANCH_OUTAGE", "REGION_OUTAGE", "BAD_MAGIC_BYTE", "CORRUPT_AVRO")) {
            assertTrue(truth.faultsInjected().getOrDefault(kind, 0L) > 0, "the day has " + kind + " faults: " + truth.faultsInjected());
        }

        archive = work.resolve("archive");
        JobOptions options = JobOptions.of(withCommon("--influx-database", liveDatabase,
                "--group-id", "replay-e2e-live", "--starting-offsets", "earliest", "--bounded", "--archive-dir", archive.toUri().toString(),
                "--transactional-id-prefix", "replay-e2e-live", "--checkpoint-interval", "1s"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options);
        env.execute("replay-e2e-live");
    }

    static String[] withCommon(String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--influx-url", influx.url(), "--election", ELECTION + "=" + reference,
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--dlq-topic", DLQ, "--alerts-topic", ALERTS,
                "--max-clock-skew", "0", "--quiet-feed-after", "0", "--correction-horizon", "1h", "--parallelism", "2"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    static String run(String... args) {
        return Cli.run(0, args);
    }

    static String replay(String runId, String... input) {
        List<String> args = new ArrayList<>(List.of("replay"));
        args.addAll(List.of(withCommon("--influx-database", liveDatabase, "--audit-database", auditDatabase, "--run-id", runId,
                "--replay-alerts-topic", REPLAY_ALERTS, "--transactional-id-prefix", "replay-e2e-" + runId, "--checkpoint-interval", "1s",
                "--report", work.resolve(runId + ".json").toString(), "--alerts-file", work.resolve(runId + ".alerts.jsonl").toString())));
        args.addAll(List.of(input));
        return run(args.toArray(new String[0]));
    }

    /** "constituency@time" -> fields, for the live series (run == null) or a replay's. */
    static Map<String, Map<String, Object>> constituencySeries(String database, String run) {
        Map<String, Map<String, Object>> series = new TreeMap<>();
        String where = "election = '" + ELECTION + "'" + (run == null ? "" : " AND run = '" + run + "'");
        for (Map<String, Object> row : influx.query(database, "SELECT ballots, branches_reporting, branches_total, eligible, turnout_pct, constituency "
                + "FROM constituency_turnout WHERE " + where)) {
            Map<String, Object> fields = new TreeMap<>(row);
            String key = fields.remove("constituency") + "@" + fields.remove("time");
            series.put(key, fields);
        }
        return series;
    }

    @Test
    void aReplayFromKafkaByTimeEqualsTheLiveSeries() throws Exception {
        String out = replay("kafka-1", "--from", sentFrom.toString(), "--to", sentTo.toString());
        assertTrue(out.contains("resolved from --from"), out);
        Map<String, Map<String, Object>> live = constituencySeries(liveDatabase, null);
        assertTrue(live.size() > 100, "the live series: " + live.size());
        assertSameSeries(live, constituencySeries(auditDatabase, "kafka-1"), "replay from Kafka vs live");
        assertTrue(Files.readString(work.resolve("kafka-1.json")).contains("\"fromOffset\""));
    }

    @Test
    void aReplayFromTheArchiveEqualsTheReplayFromKafka() throws Exception {
        try (Stream<Path> files = Files.walk(archive)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".avro")), "the live job archived");
        }
        replay("kafka-2", "--from", sentFrom.toString(), "--to", sentTo.toString());
        replay("archive-1", "--from-archive", archive.toUri().toString());
        Map<String, Map<String, Object>> fromKafka = constituencySeries(auditDatabase, "kafka-2");
        assertTrue(fromKafka.size() > 100);
        assertSameSeries(fromKafka, constituencySeries(auditDatabase, "archive-1"), "replay from the archive vs from Kafka");
        List<String> kafkaAlerts = Files.readAllLines(work.resolve("kafka-2.alerts.jsonl"));
        List<String> archiveAlerts = Files.readAllLines(work.resolve("archive-1.alerts.jsonl"));
        assertTrue(kafkaAlerts.size() > 5, "the faulty day raises alerts: " + kafkaAlerts.size());
        // outages are judged on the Kafka timestamps the archive keeps, with watermarks per partition: the same alerts
        assertEquals(new java.util.TreeSet<>(kafkaAlerts), new java.util.TreeSet<>(archiveAlerts), "alerts replayed from the archive vs from Kafka");
        assertEquals(kafkaAlerts.size(), archiveAlerts.size(), "no alert twice");
    }

    @Test
    void theSameWorkflowInBatchModeGivesTheSamePointsAsStreaming() throws Exception {
        replay("batch-1", "--from", sentFrom.toString(), "--to", sentTo.toString(), "--execution-mode", "batch");
        Map<String, Map<String, Object>> live = constituencySeries(liveDatabase, null);
        assertTrue(live.size() > 100);
        assertSameSeries(live, constituencySeries(auditDatabase, "batch-1"), "BATCH replay vs STREAMING live");

        // and the same outages: alerts (ids and all fields) and the connectivity series
        replay("streaming-1", "--from", sentFrom.toString(), "--to", sentTo.toString(), "--execution-mode", "streaming");
        List<String> streamingAlerts = Files.readAllLines(work.resolve("streaming-1.alerts.jsonl"));
        List<String> batchAlerts = Files.readAllLines(work.resolve("batch-1.alerts.jsonl"));
        assertTrue(streamingAlerts.stream().anyMatch(a -> a.contains("HEARTBEAT_TIMEOUT")), "the day has heartbeat timeouts");
        assertTrue(streamingAlerts.stream().anyMatch(a -> a.contains("CONSTITUENCY_DEGRADED")), "and degraded constituencies");
        java.util.TreeSet<String> onlyStreaming = new java.util.TreeSet<>(streamingAlerts);
        batchAlerts.forEach(onlyStreaming::remove);
        java.util.TreeSet<String> onlyBatch = new java.util.TreeSet<>(batchAlerts);
        streamingAlerts.forEach(onlyBatch::remove);
        assertTrue(onlyStreaming.isEmpty() && onlyBatch.isEmpty(), "BATCH vs STREAMING replay alerts, of " + streamingAlerts.size()
                + ": only in STREAMING " + onlyStreaming + "; only in BATCH " + onlyBatch);
        assertEquals(streamingAlerts.size(), batchAlerts.size(), "no alert twice");
        for (Map.Entry<String, List<String>> m : Map.of(
                "constituency_connectivity", List.of("election", "province", "constituency"),
                "branch_status", List.of("election", "constituency", "branch"),
                "alerts", List.of("election", "kind", "constituency", "subject")).entrySet()) {
            Map<String, Map<String, Object>> streaming = series(auditDatabase, m.getKey(), m.getValue(), "streaming-1");
            assertTrue(streaming.size() > 20, m.getKey() + ": " + streaming.size());
            assertSameSeries(streaming, series(auditDatabase, m.getKey(), m.getValue(), "batch-1"), m.getKey() + ": BATCH vs STREAMING replay");
        }
    }

    /** "tag values@time" -> the other columns, for one measurement of a replay. */
    static Map<String, Map<String, Object>> series(String database, String measurement, List<String> tags, String run) {
        Map<String, Map<String, Object>> series = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database, "SELECT * FROM " + measurement + " WHERE run = '" + run + "'")) {
            Map<String, Object> fields = new TreeMap<>(row);
            fields.remove("run");
            StringBuilder key = new StringBuilder();
            for (String tag : tags) key.append(fields.remove(tag)).append('/');
            series.put(key.append('@').append(fields.remove("time")).toString(), fields);
        }
        return series;
    }

    @Test
    void theAuditPassesOnTheDayThenCatchesACorruptedLivePoint() throws Exception {
        replay("audit-1", "--from", sentFrom.toString(), "--to", sentTo.toString());
        String[] audit = auditArgs("audit-1");
        String clean = run(audit);
        assertTrue(clean.contains(" 0 difference(s), 0 unexplained"), "live == replay == recount at every point: " + clean);
        JsonNode report = new ObjectMapper().readTree(work.resolve("audit-audit-1/audit.json").toFile());
        assertEquals(report.path("finalTotalsSha256").path("recount").asText(), report.path("finalTotalsSha256").path("live").asText());
        assertTrue(report.path("pointsCompared").asLong() > 100, report.toString());
        assertTrue(Files.readString(work.resolve("audit-audit-1/audit.html")).contains("PASSED"));

        // an instant where a report first counts: the point a tamperer would pick, and one the audit can explain with events
        Map<String, Object> victim = null;
        long previous = -1;
        for (Map<String, Object> row : influx.query(liveDatabase, "SELECT ballots, province, constituency FROM constituency_turnout WHERE election = '"
                + ELECTION + "' AND constituency = 'teh-01'")) {
            long ballots = ((Number) row.get("ballots")).longValue();
            if (previous >= 0 && ballots != previous && ((Number) row.get("time")).longValue() % 60_000 != 0) { victim = row; break; }
            previous = ballots;
        }
        assertTrue(victim != null, "teh-01 has a changing series");
        long time = ((Number) victim.get("time")).longValue();
        long real = ((Number) victim.get("ballots")).longValue();
        String line = "constituency_turnout,constituency=teh-01,election=" + ELECTION + ",province=" + victim.get("province")
                + " ballots=" + (real + 777) + "i " + time;
        influx.write(liveDatabase, line);
        try {
            auditCatches(audit, time, real);
        } finally { // the live day is shared by the class: put the real value back
            String back = line.replace(" ballots=" + (real + 777) + "i ", " ballots=" + real + "i ");
            influx.write(liveDatabase, back);
        }
    }

    void auditCatches(String[] audit, long time, long real) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(audit);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        assertEquals(1, cli.execute(audit), out.toString());
        String expected = "teh-01 at " + Instant.ofEpochMilli(time) + ": live " + (real + 777) + " ballots";
        assertTrue(out.toString().contains(expected) && out.toString().contains("UNEXPLAINED"), out.toString());
        JsonNode failed = new ObjectMapper().readTree(work.resolve("audit-audit-1/audit.json").toFile());
        assertEquals(1, failed.path("unexplained").asLong(), failed.path("differenceList").toString());
        JsonNode difference = failed.path("differenceList").get(0);
        assertEquals(real + 777, difference.path("live").path("ballots").asLong());
        assertEquals(real, difference.path("recount").path("ballots").asLong());
        assertEquals(real, difference.path("replay").path("ballots").asLong());
        assertTrue(difference.path("events").size() > 0, "the reports that count at that instant are listed: " + difference);
        assertTrue(Files.readString(work.resolve("audit-audit-1/audit.html")).contains("FAILED"));
    }

    static void assertSameSeries(Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual, String what) {
        List<String> differences = new ArrayList<>();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(expected.get(k), actual.get(k))) differences.add(k + ": " + expected.get(k) + " vs " + actual.get(k));
        }
        assertTrue(differences.isEmpty(), what + ": " + differences.size() + " of " + keys.size() + " points differ, e.g. "
                + differences.subList(0, Math.min(8, differences.size())));
    }

    static String[] auditArgs(String runId) {
        List<String> args = new ArrayList<>(List.of("audit"));
        args.addAll(List.of(withCommon("--influx-database", liveDatabase, "--replay-report", work.resolve(runId + ".json").toString(),
                "--out", work.resolve("audit-" + runId).toString())));
        return args.toArray(new String[0]);
    }
}
