package org.turnoutstream.workflows;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.reference.ReferenceDataException;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 on real parts (Kafka broker, registry, MiniCluster, influxd): a first round is counted, then the live job counts
 * it again side by side with its run-off compared with the first round's own series in InfluxDB, and with the same
 * run-off's reports under another id compared with a published-hours table. The expected values are worked out by hand
 * below from the reports: two constituencies of 1,000 eligible voters each, polls 08:00-20:00 (+03:30), grid 10 min.
 *
 * <pre>
 * first round (r1, 1 March)          run-off (8 March; r2 and r2t get the same reports)
 *   a: 08:30 3 %, 10:00 10 %,           a: 09:00 2 %, 11:00 4 %, 15:00 30 %, 19:30 45 %
 *      12:00 20 %, 14:00 25 %, 19:00 40 %
 *   b: 09:00 10 %, 18:00 30 %           b: 09:00 10 %, 12:00 20 %, 13:00 30 % (the 13:00 report heard late, at 13:30)
 * published table (r2t's baseline): a 10:00 10, 12:00 20, 14:00 25, 16:00 30, 18:00 35, final 40;
 *                                   b 10:00 10, ..., 16:00 10, 18:00 30, final 30
 * </pre>
 * Against the first round's series, constituency a is more than 5 points behind from 10:00 to 14:50 (PARTICIPATION_LAGGING
 * raised at 10:30, CAUGHT_UP at 15:00), and again from 19:00 to 19:20 (shorter than 30 min: no alert). Against the table,
 * whose figures are interpolated between its hours, from 09:30 (2 % against 7.5 %) to 14:50, and from 18:10 (30 % against
 * 35.42 %) to 19:20: two episodes, each raised and cleared once. b is never behind.
 */
class RunOffParticipationTest {
    static final String R1 = "r1", R2 = "r2", R2T = "r2t";
    static final ZoneOffset TEHRAN = ZoneOffset.ofHoursMinutes(3, 30);
    static final LocalDate DAY1 = LocalDate.of(2024, 3, 1), DAY8 = LocalDate.of(2024, 3, 8);
    static final double EPS = 1e-9;

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir static Path work;
    static String database;
    static final String TURNOUT = "branch.turnout.runoff", CONNECTIVITY = "branch.connectivity.runoff",
            ALERTS = "branch.alerts.runoff", DLQ = "turnout.dlq.runoff";

    static Instant time(LocalDate day, String hhmm) {
        return day.atTime(LocalTime.parse(hhmm)).atOffset(TEHRAN).toInstant();
    }

    static String iso(LocalDate day, String hhmm) {
        return day.atTime(LocalTime.parse(hhmm)).atOffset(TEHRAN).toString();
    }

    @BeforeAll
    static void countTheFirstRoundThenTheRunOffSideBySide() throws Exception {
        for (String topic : List.of(TURNOUT, CONNECTIVITY, ALERTS)) kafka.createTopic(topic, 2);
        kafka.createTopic(DLQ, 1);
        database = influx.createDatabase("runoff");
        Path reference = work.resolve("reference");
        Files.createDirectories(reference);
        Files.writeString(reference.resolve("constituencies.csv"), "constituency_id,name,province,eligible_voters\na,A,P,1000\nb,B,P,1000\n");
        Files.writeString(reference.resolve("branches.csv"), "branch_id,constituency_id,name,eligible_voters\na-1,a,A 1,500\na-2,a,A 2,500\nb-1,b,B 1,500\nb-2,b,B 2,500\n");
        Files.writeString(work.resolve("round1-published.csv"), """
                constituency_id,polls_open,polls_close,10:00,12:00,14:00,16:00,18:00,final
                a,08:00,20:00,10,20,25,30,35,40
                b,08:00,20:00,10,10,10,10,30,30
                """);

        // The first round, counted alone (its job knows nothing of a run-off yet).
        send(R1, DAY1, new String[][] {
                {"a-1", "08:30", "30"}, {"b-1", "09:00", "100"}, {"a-1", "10:00", "100"}, {"a-2", "12:00", "100"},
                {"a-1", "14:00", "150"}, {"b-1", "18:00", "300"}, {"a-1", "19:00", "200"}, {"a-2", "19:00", "200"}});
        run(job(R1));

        // A week later: the run-off (twice: r2 against the first round's series, r2t against the table), counted by a job
        // that also counts the first round again, side by side.
        String[][] runOff = {
                {"a-1", "09:00", "20"}, {"b-1", "09:00", "100"}, {"a-1", "11:00", "40"}, {"b-1", "12:00", "200"},
                {"b-2", "13:00", "100", "13:30"}, {"a-1", "15:00", "200"}, {"a-2", "15:00", "100"}, {"a-2", "19:30", "250"}};
        send(R2, DAY8, runOff);
        send(R2T, DAY8, runOff);
        run(job(R1, R2, R2T, "--baseline", R2 + "=" + R1, "--baseline", R2T + "=" + work.resolve("round1-published.csv")));
    }

    /** Reports {branch, local time, ballots[, heard at]}, each branch's in sequence, heard when dated unless said. */
    static void send(String election, LocalDate day, String[][] reports) throws Exception {
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(registry.config(), TURNOUT, TurnoutReport.class);
        List<String[]> byHeard = new ArrayList<>(List.of(reports));
        byHeard.sort(Comparator.comparing(r -> r.length > 3 ? r[3] : r[1]));
        Map<String, Integer> sequence = new java.util.HashMap<>();
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (String[] r : reports) {
                int seq = sequence.merge(r[0], 1, Integer::sum);
                r = r.length > 3 ? new String[] {r[0], r[1], r[2], r[3], Integer.toString(seq)} : new String[] {r[0], r[1], r[2], r[1], Integer.toString(seq)};
                byHeard.set(indexOf(byHeard, r), r);
            }
            for (String[] r : byHeard) {
                TurnoutReport report = TurnoutReport.newBuilder().setElection(election).setBranchId(r[0]).setConstituencyId(r[0].substring(0, 1))
                        .setSequence(Long.parseLong(r[4])).setBallotsCast(Long.parseLong(r[2])).setEventTime(time(day, r[1])).build();
                producer.send(new ProducerRecord<>(TURNOUT, null, time(day, r[3]).toEpochMilli(), r[0].getBytes(StandardCharsets.UTF_8), encoder.encode(report)));
            }
            producer.flush();
        }
    }

    private static int indexOf(List<String[]> list, String[] r) {
        for (int i = 0; i < list.size(); i++) if (list.get(i)[0].equals(r[0]) && list.get(i)[1].equals(r[1]) && list.get(i)[2].equals(r[2])) return i;
        throw new IllegalStateException();
    }

    static JobOptions job(String... electionsThenExtra) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY,
                "--alerts-topic", ALERTS, "--dlq-topic", DLQ, "--transactional-id-prefix", "runoff-" + System.nanoTime(),
                "--group-id", "runoff-" + System.nanoTime(), "--starting-offsets", "earliest",
                "--registry-url", registry.url(), "--influx-url", influx.url(), "--influx-database", database,
                "--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "1m", "--correction-horizon", "1h",
                "--checkpoint-interval", "1s", "--heartbeat-timeout", "12h", "--max-clock-skew", "0", "--grid-interval", "10m",
                "--parallelism", "2"));
        int i = 0;
        for (; i < electionsThenExtra.length && !electionsThenExtra[i].startsWith("--"); i++) {
            String e = electionsThenExtra[i];
            LocalDate day = e.equals(R1) ? DAY1 : DAY8;
            args.addAll(List.of("--election", e + "=" + work.resolve("reference"),
                    "--polls-open", e + "=" + iso(day, "08:00"), "--polls-close", e + "=" + iso(day, "20:00")));
        }
        args.addAll(List.of(electionsThenExtra).subList(i, electionsThenExtra.length));
        return JobOptions.of(args.toArray(new String[0]));
    }

    static void run(JobOptions options) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options);
        env.execute("runoff");
    }

    /** The point of {@code measurement} (constituency tag, or null) of {@code election} at a local time of 8 March. */
    static Map<String, Object> point(String measurement, String election, String constituency, String hhmm) {
        String where = "election = '" + election + "'" + (constituency == null ? "" : " AND constituency = '" + constituency + "'")
                + " AND time = " + time(DAY8, hhmm).toEpochMilli() + "ms";
        List<Map<String, Object>> rows = influx.query(database, "SELECT * FROM " + measurement + " WHERE " + where);
        assertEquals(1, rows.size(), measurement + " " + where + ": " + rows);
        return rows.get(0);
    }

    static void assertComparison(Map<String, Object> point, double turnout, double baseline, Double projected) {
        assertEquals(turnout, ((Number) point.get("turnout_pct")).doubleValue(), EPS, "turnout_pct of " + point);
        assertEquals(baseline, ((Number) point.get("baseline_pct")).doubleValue(), EPS, "baseline_pct of " + point);
        assertEquals(turnout - baseline, ((Number) point.get("vs_baseline_pts")).doubleValue(), EPS, "vs_baseline_pts of " + point);
        if (projected == null) assertNull(point.get("projected_pct"), "no projection before a quarter of the day: " + point);
        else assertEquals(projected, ((Number) point.get("projected_pct")).doubleValue(), EPS, "projected_pct of " + point);
    }

    @Test
    void theRunOffIsComparedWithTheFirstRoundsOwnSeriesAtTheSameTimeSinceThePollsOpened() {
        // 10:00: a 2 % against 10 %; two hours into a twelve-hour day: no projection yet
        assertComparison(point("constituency_turnout", R2, "a", "10:00"), 2, 10, null);
        // 12:00: a 4 % against 20 % (final 40): projected 4 x 40 / 20; b 20 % against 10 % (final 30)
        assertComparison(point("constituency_turnout", R2, "a", "12:00"), 4, 20, 8.0);
        assertComparison(point("constituency_turnout", R2, "b", "12:00"), 20, 10, 60.0);
        // 13:00: b's late report (heard 13:30) rewrote the point and its comparison: 30 % against 10 %
        assertComparison(point("constituency_turnout", R2, "b", "13:00"), 30, 10, 90.0);
        // 15:00: a 30 % against 25 %
        assertComparison(point("constituency_turnout", R2, "a", "15:00"), 30, 25, 48.0);
        // the province and the nation: the curves weighted by eligible voters (here equal): 12:00 12 % against 15 %, final 35
        assertComparison(point("province_turnout", R2, null, "12:00"), 12, 15, 28.0);
        assertComparison(point("national_turnout", R2, null, "12:00"), 12, 15, 28.0);
        // 19:30: after the first round's last point (19:00) its curve stays at its final 40 %
        assertComparison(point("constituency_turnout", R2, "a", "19:30"), 45, 40, 45.0);
    }

    @Test
    void theSameReportsAreComparedWithAPublishedHoursTableInterpolatedBetweenItsHours() {
        assertComparison(point("constituency_turnout", R2T, "a", "11:00"), 4, 15, 4.0 * 40 / 15);
        assertComparison(point("constituency_turnout", R2T, "a", "15:00"), 30, 27.5, 30.0 * 40 / 27.5);
        assertComparison(point("constituency_turnout", R2T, "b", "17:00"), 30, 20, 45.0);
        assertComparison(point("national_turnout", R2T, null, "12:00"), 12, 15, 28.0);
    }

    @Test
    void theFirstRoundKeepsItsOwnSeriesWithoutComparison() {
        List<Map<String, Object>> rows = influx.query(database, "SELECT * FROM national_turnout WHERE election = 'r1' AND time = "
                + time(DAY1, "19:00").toEpochMilli() + "ms");
        assertEquals(1, rows.size());
        assertEquals(700L, ((Number) rows.get(0).get("ballots")).longValue()); // a 400 (a-1 200 + a-2 200) + b 300
        assertNull(rows.get(0).get("baseline_pct"));
    }

    @Test
    void laggingIsRaisedOnceAndClearedOnceForEachRunOffAndOnlyForTheConstituencyBehind() throws Exception {
        ConfluentAvroDecoder<BranchAlert> decoder = ConfluentAvroDecoder.forClass(registry.config(), BranchAlert.class);
        List<String> participation = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.consumeAll(ALERTS, true, Duration.ofSeconds(1))) {
            BranchAlert a = decoder.decode(record.value());
            if (a.getKind() != AlertKind.PARTICIPATION_LAGGING && a.getKind() != AlertKind.PARTICIPATION_CAUGHT_UP) continue;
            participation.add(a.getElection() + " " + a.getKind() + " " + a.getConstituencyId() + " " + a.getReason() + " "
                    + a.getStartedAt() + " " + a.getEndedAt());
        }
        participation.sort(null);
        String caughtUp = " " + time(DAY8, "15:00");
        assertEquals(List.of(
                "r2 PARTICIPATION_CAUGHT_UP a CAUGHT_UP " + time(DAY8, "10:00") + caughtUp,
                "r2 PARTICIPATION_LAGGING a BEHIND_BASELINE " + time(DAY8, "10:00") + " null",
                "r2t PARTICIPATION_CAUGHT_UP a CAUGHT_UP " + time(DAY8, "09:30") + caughtUp,
                "r2t PARTICIPATION_CAUGHT_UP a CAUGHT_UP " + time(DAY8, "18:10") + " " + time(DAY8, "19:30"),
                "r2t PARTICIPATION_LAGGING a BEHIND_BASELINE " + time(DAY8, "09:30") + " null",
                "r2t PARTICIPATION_LAGGING a BEHIND_BASELINE " + time(DAY8, "18:10") + " null"), participation);
        List<Map<String, Object>> points = influx.query(database, "SELECT active FROM alerts WHERE kind = 'PARTICIPATION_LAGGING'");
        assertEquals(3, points.size(), "an alerts point for each, for Grafana: " + points);
    }

    /**
     * A first round whose series InfluxDB no longer holds live is replayed from its archive: {@code turnout replay} writes it
     * tagged with its run id into another database, and {@code --baseline r2=r1@DATABASE/RUN} reads it from there: the
     * same curves as from the live series.
     */
    @Test
    void theBaselineCanBeAReplaysSeriesInAnotherDatabase() {
        String replays = influx.createDatabase("runoff_replays");
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> row : influx.query(database, "SELECT turnout_pct FROM constituency_turnout WHERE election = 'r1' GROUP BY constituency")) {
            lines.add("constituency_turnout,election=r1,province=P,constituency=" + row.get("constituency") + ",run=replay-1 turnout_pct="
                    + row.get("turnout_pct") + " " + row.get("time"));
        }
        lines.add("constituency_turnout,election=r1,province=P,constituency=a,run=replay-2 turnout_pct=99 " + time(DAY1, "12:00").toEpochMilli());
        influx.write(replays, lines.toArray(new String[0]));
        String r1Hours = "--polls-open r1=" + iso(DAY1, "08:00") + " --polls-close r1=" + iso(DAY1, "20:00");
        ElectionCatalog catalog = ElectionCatalog.loadSpecs(List.of(R2 + "=" + work.resolve("reference")));

        ParticipationSettings live = Baselines.of(job(concat(new String[] {R2, "--baseline", R2 + "=" + R1}, r1Hours.split(" "))), catalog);
        ParticipationSettings replayed = Baselines.of(job(concat(new String[] {R2, "--baseline", R2 + "=" + R1 + "@" + replays + "/replay-1"},
                r1Hours.split(" "))), catalog);
        for (String c : List.of("a", "b")) {
            assertEquals(live.baselines().get(R2).curve(c), replayed.baselines().get(R2).curve(c), c);
        }
        assertEquals("election r1 (database " + replays + ", run replay-1)", replayed.baselines().get(R2).source());
        ReferenceDataException none = assertThrows(ReferenceDataException.class, () -> Baselines.of(job(concat(
                new String[] {R2, "--baseline", R2 + "=" + R1 + "@" + replays}, r1Hours.split(" "))), catalog));
        assertTrue(none.getMessage().contains("has no constituency_turnout points"), "no live-shaped (untagged) series there: " + none.getMessage());
    }

    /** A run-off held in fewer constituencies than its first round: the first round's other curves are left out. */
    @Test
    void aRunOffInFewerConstituenciesIsComparedWithThoseOfTheFirstRound() throws Exception {
        Path onlyA = work.resolve("reference-a");
        Files.createDirectories(onlyA);
        Files.writeString(onlyA.resolve("constituencies.csv"), "constituency_id,name,province,eligible_voters\na,A,P,1000\n");
        Files.writeString(onlyA.resolve("branches.csv"), "branch_id,constituency_id,name,eligible_voters\na-1,a,A 1,500\na-2,a,A 2,500\n");
        ElectionCatalog catalog = ElectionCatalog.loadSpecs(List.of("r2a=" + onlyA));
        ParticipationSettings fewer = Baselines.of(job("--election", "r2a=" + onlyA, "--polls-open", "r2a=" + iso(DAY8, "08:00"),
                "--polls-close", "r2a=" + iso(DAY8, "20:00"), "--baseline", "r2a=" + R1, "--polls-open", "r1=" + iso(DAY1, "08:00"),
                "--polls-close", "r1=" + iso(DAY1, "20:00")), catalog);
        assertEquals(List.of("a"), fewer.baselines().get("r2a").constituencies());
        assertEquals(10.0, fewer.baselines().get("r2a").curve("a").at(2 * 3600_000L), 0.0, "the first round's a at 10:00");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aBaselineThatCannotBeUsedStopsTheJobBeforeItStarts() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // the baseline election has no series in this database
        JobOptions noSeries = job(R2, "--baseline", R2 + "=r0", "--polls-open", "r0=" + iso(DAY1, "08:00"), "--polls-close", "r0=" + iso(DAY1, "20:00"));
        ReferenceDataException none = assertThrows(ReferenceDataException.class, () -> LiveTurnoutJob.define(env, noSeries));
        assertTrue(none.getMessage().contains("baseline election r0 has no constituency_turnout points"), none.getMessage());
        // the first round's polling hours are needed to line the days up
        JobOptions noHours = job(R2, "--baseline", R2 + "=" + R1);
        IllegalArgumentException hours = assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.define(env, noHours));
        assertEquals("--baseline r2=r1 needs --polls-open r1=TIME (e.g. 2024-03-08T08:00:00+03:30)", hours.getMessage());
        // a table without one of the election's constituencies
        Path partial = work.resolve("partial.csv");
        Files.writeString(partial, "constituency_id,polls_open,polls_close,12:00,final\na,08:00,20:00,20,40\n");
        JobOptions noRow = job(R2, "--baseline", R2 + "=" + partial);
        ReferenceDataException row = assertThrows(ReferenceDataException.class, () -> LiveTurnoutJob.define(env, noRow));
        assertTrue(row.getMessage().contains("no row for 1 constituency of election r2: b"), row.getMessage());
        // a first round with missing hours: its series ends at 19:00, but its polls closed (it says) at 23:30
        JobOptions cut = job(R2, "--baseline", R2 + "=" + R1, "--polls-open", R1 + "=" + iso(DAY1, "08:00"), "--polls-close", R1 + "=" + iso(DAY1, "23:30"));
        ReferenceDataException gap = assertThrows(ReferenceDataException.class, () -> LiveTurnoutJob.define(env, cut));
        assertTrue(gap.getMessage().contains("missing hours"), gap.getMessage());
    }
}
