package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import org.turnoutstream.workflows.LiveTurnoutJob;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 through the audit trail, on real parts (broker, registry, influxd, MiniCluster): a first round is counted live;
 * a week later its run-off is counted live compared with the first round's own series (r2) and, under another id with the
 * same reports, with a published-hours table (r2t); the run-off's day is replayed with the same options and audited. The
 * audit compares baseline_pct, vs_baseline_pts and projected_pct of every point (live, replay, and its own computation
 * from the recount and the baseline) and catches a live vs_baseline_pts that was changed afterwards.
 * Constituencies a and b (province P, 1,000 eligible each) and c (Q, 2,000); polls 08:00-20:00 (+03:30); grid 10 min.
 */
class RunOffAuditTest {
    static final String R1 = "r1", R2 = "r2", R2T = "r2t";
    static final ZoneOffset TEHRAN = ZoneOffset.ofHoursMinutes(3, 30);
    static final LocalDate FIRST_ROUND = LocalDate.of(2024, 3, 1), RUN_OFF = LocalDate.of(2024, 3, 8);
    static final String TURNOUT = "runoff-audit.branch.turnout", CONNECTIVITY = "runoff-audit.branch.connectivity",
            ALERTS = "runoff-audit.branch.alerts", REPLAY_ALERTS = "runoff-audit.branch.alerts.replay", DLQ = "runoff-audit.turnout.dlq";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir static Path work;
    static String liveDatabase;
    static String auditDatabase;
    static Path table;
    static String[] audit;

    static Instant time(LocalDate day, String hhmm) {
        return day.atTime(LocalTime.parse(hhmm)).atOffset(TEHRAN).toInstant();
    }

    /** The first round counted live, then the run-off (both comparisons) counted live and replayed; the audit's command line. */
    @BeforeAll
    static void aRunOffCountedLiveAndReplayed() throws Exception {
        for (String topic : List.of(TURNOUT, CONNECTIVITY)) kafka.createTopic(topic, 2);
        for (String topic : List.of(DLQ, ALERTS, REPLAY_ALERTS)) kafka.createTopic(topic, 1);
        liveDatabase = influx.createDatabase("live");
        auditDatabase = influx.createDatabase("audit");
        Path reference = work.resolve("reference");
        Files.createDirectories(reference);
        Files.writeString(reference.resolve("constituencies.csv"), "constituency_id,name,province,eligible_voters\na,A,P,1000\nb,B,P,1000\nc,C,Q,2000\n");
        Files.writeString(reference.resolve("branches.csv"), "branch_id,constituency_id,name,eligible_voters\n"
                + "a-1,a,A 1,500\na-2,a,A 2,500\nb-1,b,B 1,500\nb-2,b,B 2,500\nc-1,c,C 1,1000\nc-2,c,C 2,1000\n");
        table = work.resolve("round1-published.csv");
        Files.writeString(table, """
                constituency_id,polls_open,polls_close,10:00,12:00,14:00,16:00,18:00,final
                a,08:00,20:00,10,20,25,30,35,40
                b,08:00,20:00,10,10,10,10,30,30
                c,08:00,20:00,5,10,20,25,30,40
                """);

        send(R1, FIRST_ROUND, new String[][] {
                {"a-1", "08:30", "30"}, {"b-1", "09:00", "100"}, {"c-1", "09:30", "200"}, {"a-1", "10:00", "100"}, {"a-2", "12:00", "100"},
                {"c-2", "13:00", "300"}, {"a-1", "14:00", "150"}, {"b-1", "18:00", "300"}, {"a-1", "19:00", "200"}, {"a-2", "19:00", "200"},
                {"c-1", "19:30", "500"}});
        countLive("runoff-audit-r1", "--election", R1 + "=" + reference, "--polls-open", R1 + "=" + iso(FIRST_ROUND, "08:00"),
                "--polls-close", R1 + "=" + iso(FIRST_ROUND, "20:00"));

        String[][] runOff = {
                {"a-1", "09:00", "20"}, {"b-1", "09:00", "100"}, {"c-1", "09:10", "100"}, {"a-1", "11:00", "40"}, {"b-1", "12:00", "200"},
                {"b-2", "13:00", "100", "13:30"}, {"c-2", "14:00", "400"}, {"a-1", "15:00", "200"}, {"a-2", "15:00", "100"},
                {"c-1", "18:00", "300"}, {"a-2", "19:30", "250"}};
        send(R2, RUN_OFF, runOff);
        send(R2T, RUN_OFF, runOff);
        List<String> runOffOptions = new ArrayList<>();
        for (String election : List.of(R1, R2, R2T)) {
            LocalDate day = election.equals(R1) ? FIRST_ROUND : RUN_OFF;
            runOffOptions.addAll(List.of("--election", election + "=" + reference, "--polls-open", election + "=" + iso(day, "08:00"),
                    "--polls-close", election + "=" + iso(day, "20:00")));
        }
        runOffOptions.addAll(List.of("--baseline", R2 + "=" + R1, "--baseline", R2T + "=" + table));
        countLive("runoff-audit-r2", runOffOptions.toArray(new String[0]));

        List<String> replay = new ArrayList<>(List.of("replay"));
        replay.addAll(common(runOffOptions, "--influx-database", liveDatabase, "--audit-database", auditDatabase, "--run-id", "runoff-1",
                "--replay-alerts-topic", REPLAY_ALERTS, "--transactional-id-prefix", "runoff-audit-replay", "--checkpoint-interval", "1s",
                "--report", work.resolve("runoff-1.json").toString(),
                "--from", time(RUN_OFF, "07:00").toString(), "--to", time(RUN_OFF, "21:00").toString()));
        Cli.run(0, replay.toArray(new String[0]));
        List<String> auditArgs = new ArrayList<>(List.of("audit"));
        auditArgs.addAll(common(runOffOptions, "--influx-database", liveDatabase, "--replay-report", work.resolve("runoff-1.json").toString(),
                "--out", work.resolve("audit-runoff-1").toString()));
        audit = auditArgs.toArray(new String[0]);
    }

    @Test
    void theAuditFindsTheParticipationFieldsOfLiveReplayAndRecountEqual() throws Exception {
        String clean = Cli.run(0, audit);
        assertTrue(clean.contains(" 0 difference(s), 0 unexplained") && clean.contains("AUDIT PASSED"), clean);
        // 09:00 (first report) to 19:30 (last): 64 instants of 3 constituencies, 2 provinces and the nation
        long instants = influx.query(liveDatabase, "SELECT ballots FROM national_turnout WHERE election = 'r2'").size();
        assertEquals(64, instants);
        assertTrue(clean.contains("participation of r2 (baseline: election r1): 384 points compared (baseline_pct, vs_baseline_pts, projected_pct), "
                + "0 difference(s), 0 unexplained"), clean);
        assertTrue(clean.contains("participation of r2t (baseline: table " + table + "): 384 points compared"), clean);

        JsonNode report = new ObjectMapper().readTree(work.resolve("audit-runoff-1/audit.json").toFile());
        assertTrue(report.path("passed").asBoolean());
        JsonNode participation = report.path("participation");
        assertEquals(2, participation.size(), participation.toString());
        assertEquals("r2", participation.get(0).path("election").asText());
        assertEquals("election r1", participation.get(0).path("baseline").asText());
        assertEquals(384, participation.get(0).path("pointsCompared").asLong());
        assertEquals("[\"baseline_pct\",\"vs_baseline_pts\",\"projected_pct\"]", participation.get(0).path("fields").toString());
        assertEquals("table " + table, participation.get(1).path("baseline").asText());
        assertEquals(0, participation.get(1).path("differences").asLong());
        assertTrue(Files.readString(work.resolve("audit-runoff-1/audit.html")).contains("Election r2 (baseline: election r1): fields baseline_pct, "
                + "vs_baseline_pts, projected_pct of 384 points compared"));
    }

    @Test
    void aChangedLiveVsBaselinePointIsAnUnexplainedDifference() throws Exception {
        long at = time(RUN_OFF, "14:00").toEpochMilli();
        List<Map<String, Object>> rows = influx.query(liveDatabase, "SELECT ballots, vs_baseline_pts FROM constituency_turnout "
                + "WHERE election = 'r2' AND constituency = 'c' AND time = " + at + "ms");
        assertEquals(1, rows.size(), rows.toString());
        Object written = rows.get(0).get("vs_baseline_pts");
        assertNotNull(written, "the live job wrote the comparison: " + rows);
        double real = ((Number) written).doubleValue(), changed = real + 7.5;
        String point = "constituency_turnout,constituency=c,election=r2,province=Q vs_baseline_pts=";
        influx.write(liveDatabase, point + changed + " " + at);
        try {
            String caught = Cli.run(1, audit);
            assertTrue(caught.contains("c at " + Instant.ofEpochMilli(at) + ": live vs_baseline_pts " + changed
                    + " but the recount with the baseline (election r1) gives vs_baseline_pts "), caught);
            assertTrue(caught.contains("UNEXPLAINED: the live fields are not what the baseline gives for the point's own ballots"), caught);
            assertTrue(caught.contains(" 1 difference(s), 1 unexplained") && caught.contains("AUDIT FAILED"), caught);

            JsonNode failed = new ObjectMapper().readTree(work.resolve("audit-runoff-1/audit.json").toFile());
            assertEquals(1, failed.path("unexplained").asLong(), failed.path("differenceList").toString());
            assertEquals(1, failed.path("participation").get(0).path("unexplained").asLong());
            JsonNode difference = failed.path("differenceList").get(0);
            assertEquals("participation", difference.path("kind").asText());
            assertEquals("constituency_turnout", difference.path("measurement").asText());
            assertEquals("c", difference.path("constituency").asText());
            assertEquals(Instant.ofEpochMilli(at).toString(), difference.path("time").asText());
            assertEquals(changed, difference.path("live").path("vs_baseline_pts").asDouble(), 1e-9);
            assertEquals(real, difference.path("replay").path("vs_baseline_pts").asDouble(), 1e-9);
            assertEquals(real, difference.path("recount").path("vs_baseline_pts").asDouble(), 1e-9);
            String html = Files.readString(work.resolve("audit-runoff-1/audit.html"));
            assertTrue(html.contains("FAILED") && html.contains("c (constituency_turnout) at " + Instant.ofEpochMilli(at))
                    && html.contains("<td class=l>vs_baseline_pts</td>"), html);
        } finally {
            influx.write(liveDatabase, point + real + " " + at);
        }
    }

    // ---- helpers

    static String iso(LocalDate day, String hhmm) {
        return day.atTime(LocalTime.parse(hhmm)).atOffset(TEHRAN).toString();
    }

    static List<String> common(List<String> elections, String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--influx-url", influx.url(), "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--dlq-topic", DLQ,
                "--alerts-topic", ALERTS, "--max-clock-skew", "0", "--quiet-feed-after", "0", "--correction-horizon", "1h",
                "--max-out-of-orderness", "1m", "--heartbeat-timeout", "12h", "--grid-interval", "10m", "--parallelism", "2"));
        args.addAll(elections);
        args.addAll(List.of(extra));
        return args;
    }

    /** The live job over everything in the topics so far ({@code name}, then its elections and options). */
    static void countLive(String name, String... elections) throws Exception {
        JobOptions options = JobOptions.of(common(List.of(elections), "--influx-database", liveDatabase, "--group-id", name,
                "--starting-offsets", "earliest", "--bounded", "--transactional-id-prefix", name, "--checkpoint-interval", "1s").toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options);
        env.execute(name);
    }

    /** Reports {branch, local time, ballots[, heard at]}, each branch's in sequence, sent in the order heard. */
    static void send(String election, LocalDate day, String[][] reports) throws Exception {
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(registry.config(), TURNOUT, TurnoutReport.class);
        Map<String, Integer> sequence = new HashMap<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String[] r : reports) {
            TurnoutReport report = TurnoutReport.newBuilder().setElection(election).setBranchId(r[0]).setConstituencyId(r[0].substring(0, 1))
                    .setSequence(sequence.merge(r[0], 1, Integer::sum)).setBallotsCast(Long.parseLong(r[2])).setEventTime(time(day, r[1])).build();
            long heard = time(day, r.length > 3 ? r[3] : r[1]).toEpochMilli();
            records.add(new ProducerRecord<>(TURNOUT, null, heard, r[0].getBytes(StandardCharsets.UTF_8), encoder.encode(report)));
        }
        records.sort(Comparator.comparing(ProducerRecord::timestamp));
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (ProducerRecord<byte[], byte[]> record : records) producer.send(record);
            producer.flush();
        }
    }
}
