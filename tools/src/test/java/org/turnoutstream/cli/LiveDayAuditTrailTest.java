package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.cli.Cli;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import org.turnoutstream.workflows.LiveTurnoutJob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit trail of one short live day, as an operator uses it afterwards: the archive the live job wrote is
 * sealed and verified (and tampering and loss are caught), and the audit compares the province and national
 * series too (a corrupted national point is caught).
 */
class LiveDayAuditTrailTest {
    static final String ELECTION = "2024-trail-r1";
    static final String TURNOUT = "trail.branch.turnout";
    static final String CONNECTIVITY = "trail.branch.connectivity";
    static final String DLQ = "trail.turnout.dlq";
    static final String ALERTS = "trail.branch.alerts";
    static final String REPLAY_ALERTS = "trail.branch.alerts.replay";

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

    /** A short day with faults, counted live with the archive on, once for the class. */
    @BeforeAll
    static void aShortDayCountedLiveAndArchived() throws Exception {
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(30).withConstituencies(3).withProvinces(2).withEligibleVoters(30_000L).validate());
        reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);
        for (String topic : List.of(TURNOUT, CONNECTIVITY)) kafka.createTopic(topic, 2);
        for (String topic : List.of(DLQ, ALERTS, REPLAY_ALERTS)) kafka.createTopic(topic, 1);
        liveDatabase = influx.createDatabase("live");
        auditDatabase = influx.createDatabase("audit");

        Path truthFile = work.resolve("truth.json");
        run(0, "simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--polls-open", "08:00", "--polls-close", "08:50", "--max",
                "--seed", "11", "--duplicate-rate", "0.05", "--reorder-rate", "0.05", "--late-rate", "0.03", "--malformed-rate", "0.02",
                "--truth", truthFile.toString());
        GroundTruth truth = GroundTruth.read(truthFile);
        sentFrom = Instant.parse(truth.pollsOpen()).minusSeconds(60);
        sentTo = Instant.parse(truth.pollsClose()).plus(Duration.ofHours(1));

        archive = work.resolve("archive");
        JobOptions options = JobOptions.of(common("--influx-database", liveDatabase,
                "--group-id", "trail-live", "--starting-offsets", "earliest", "--bounded", "--archive-dir", archive.toUri().toString(),
                "--transactional-id-prefix", "trail-live", "--checkpoint-interval", "1s").toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options);
        env.execute("trail-live");
    }

    @Test
    void theSealedArchiveVerifiesThenAChangedAndAMissingFileAreNamed() throws Exception {
        Path copy = work.resolve("archive-to-tamper"); // the class's archive stays intact
        List<Path> files = copyTree(archive, copy);
        assertTrue(files.size() >= 2, "the live job archived several files: " + files);

        String sealed = run(0, "archive", "seal", "--dir", copy.toString());
        assertTrue(sealed.contains("sealed ") && !sealed.contains(" 0 bucket(s) sealed"), sealed);
        String verified = run(0, "archive", "verify", "--dir", copy.toUri().toString());
        assertTrue(verified.contains(" 0 not"), verified);

        Path changed = files.get(0), deleted = files.get(files.size() - 1);
        byte[] bytes = Files.readAllBytes(changed);
        bytes[bytes.length / 2] ^= 0x01; // one bit, same size
        Files.write(changed, bytes);
        Files.delete(deleted);

        String tampered = run(1, "archive", "verify", "--dir", copy.toString());
        assertTrue(tampered.contains("changed: " + changed.getFileName() + ": SHA-256 "), tampered);
        assertTrue(tampered.contains("missing: " + deleted.getFileName()), tampered);
        assertTrue(tampered.contains(changed.getParent() + ": NOT intact") && tampered.contains(deleted.getParent() + ": NOT intact"), tampered);
        long notIntact = changed.getParent().equals(deleted.getParent()) ? 1 : 2;
        assertTrue(tampered.contains(", " + notIntact + " not"), tampered);

        String badDir = runExpecting(2, "archive", "verify", "--dir", work.resolve("no-archive-here").toString());
        assertTrue(badDir.contains("no archive directory at"), badDir);
    }

    @Test
    void theAuditComparesProvinceAndNationalPointsAndCatchesACorruptedNationalPoint() throws Exception {
        List<String> replay = new ArrayList<>(List.of("replay"));
        replay.addAll(common("--influx-database", liveDatabase, "--audit-database", auditDatabase, "--run-id", "trail-1",
                "--replay-alerts-topic", REPLAY_ALERTS, "--transactional-id-prefix", "trail-1", "--checkpoint-interval", "1s",
                "--report", work.resolve("trail-1.json").toString(), "--from", sentFrom.toString(), "--to", sentTo.toString()));
        run(0, replay.toArray(new String[0]));
        List<String> audit = new ArrayList<>(List.of("audit"));
        audit.addAll(common("--influx-database", liveDatabase, "--replay-report", work.resolve("trail-1.json").toString(),
                "--out", work.resolve("audit-trail-1").toString()));
        String[] auditArgs = audit.toArray(new String[0]);

        String clean = run(0, auditArgs);
        assertTrue(clean.contains(" 0 difference(s), 0 unexplained"), clean);
        JsonNode passed = new ObjectMapper().readTree(work.resolve("audit-trail-1/audit.json").toFile());
        assertEquals("[\"constituency_turnout\",\"province_turnout\",\"national_turnout\"]", passed.path("measurementsCompared").toString());
        // 3 constituencies + 2 provinces + the nation at every instant of the day
        long nationalPoints = influx.query(liveDatabase, "SELECT ballots FROM national_turnout WHERE election = '" + ELECTION + "'").size();
        assertTrue(nationalPoints > 100, "national points: " + nationalPoints);
        assertEquals(6 * nationalPoints, passed.path("pointsCompared").asLong(), passed.toString().substring(0, 300));

        // a national instant where reports first count: what a tamperer would change on the public dashboard
        Map<String, Object> victim = null;
        long previous = -1;
        for (Map<String, Object> row : influx.query(liveDatabase, "SELECT ballots FROM national_turnout WHERE election = '" + ELECTION + "'")) {
            long ballots = ((Number) row.get("ballots")).longValue();
            if (previous >= 0 && ballots != previous && ((Number) row.get("time")).longValue() % 60_000 != 0) {
                victim = row;
                break;
            }
            previous = ballots;
        }
        assertNotNull(victim, "the national series changes");
        long time = ((Number) victim.get("time")).longValue();
        long real = ((Number) victim.get("ballots")).longValue();
        writeLive("national_turnout,election=" + ELECTION + " ballots=" + (real + 555) + "i " + time);
        try {
            String caught = runExpecting(1, auditArgs);
            assertTrue(caught.contains("national at " + Instant.ofEpochMilli(time) + ": live " + (real + 555) + " ballots"), caught);
            assertTrue(caught.contains("UNEXPLAINED") && caught.contains("AUDIT FAILED"), caught);
            JsonNode failed = new ObjectMapper().readTree(work.resolve("audit-trail-1/audit.json").toFile());
            assertEquals(1, failed.path("unexplained").asLong(), failed.path("differenceList").toString());
            JsonNode difference = failed.path("differenceList").get(0);
            assertEquals("national_turnout", difference.path("measurement").asText());
            assertEquals(Instant.ofEpochMilli(time).toString(), difference.path("time").asText());
            assertEquals(real + 555, difference.path("live").path("ballots").asLong());
            assertEquals(real, difference.path("recount").path("ballots").asLong());
            assertEquals(real, difference.path("replay").path("ballots").asLong());
            assertTrue(difference.path("events").size() > 0, "the reports that first count at that instant are listed: " + difference);
            for (JsonNode e : difference.path("events")) assertTrue(e.path("firstCountsAtThisInstant").asBoolean(), e.toString());
            String html = Files.readString(work.resolve("audit-trail-1/audit.html"));
            assertTrue(html.contains("FAILED") && html.contains("national (national_turnout) at " + Instant.ofEpochMilli(time)), html);
        } finally {
            writeLive("national_turnout,election=" + ELECTION + " ballots=" + real + "i " + time);
        }
    }

    // ---- helpers

    static List<String> common(String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--influx-url", influx.url(), "--election", ELECTION + "=" + reference,
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--dlq-topic", DLQ, "--alerts-topic", ALERTS,
                "--max-clock-skew", "0", "--quiet-feed-after", "0", "--correction-horizon", "1h", "--parallelism", "2"));
        args.addAll(List.of(extra));
        return args;
    }

    static String run(int expectedCode, String... args) {
        return runExpecting(expectedCode, args);
    }

    /** Runs the CLI, asserts the exit code, returns stdout and stderr together. */
    static String runExpecting(int expectedCode, String... args) {
        return Cli.run(expectedCode, args);
    }

    static void writeLive(String line) {
        influx.write(liveDatabase, line);
    }

    /** Copies the tree; returns the finished archive files (part-*.avro) of the copy, sorted. */
    static List<Path> copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        try (Stream<Path> walk = Files.walk(to)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
    }
}
