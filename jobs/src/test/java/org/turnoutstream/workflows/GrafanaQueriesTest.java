package org.turnoutstream.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.grafana.GrafanaProvisioning;
import org.turnoutstream.grafana.GrafanaProvisioning.PanelQuery;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.turnoutstream.grafana.GrafanaProvisioning.list;
import static org.turnoutstream.grafana.GrafanaProvisioning.map;
import static org.turnoutstream.workflows.AlertScenario.ELECTION;
import static org.turnoutstream.workflows.AlertScenario.at;
import static org.turnoutstream.workflows.AlertScenario.epoch;

/**
 * Every Grafana query against what the pipeline really wrote. The live job (unbounded, real Kafka, registry and
 * influxd) runs the {@link AlertScenario} morning, then the feed falls silent so the watchdog raises FEED_SILENT:
 * every measurement the job writes is in InfluxDB. A third run counts a run-off compared with the first round's
 * published hours (issue 14): the baseline fields and the lagging alerts. Then every panel, variable, annotation and
 * alert-rule query, with its variables substituted as Grafana does, must parse, name only measurements, fields and
 * tags InfluxDB has, and return the series the scenarios imply.
 */
class GrafanaQueriesTest {
    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    static final GrafanaProvisioning grafana = GrafanaProvisioning.load();
    /** The whole scenario with an hour either side: what a dashboard over the morning shows. */
    static final long RANGE_FROM = epoch(-3_600_000), RANGE_TO = epoch(3_600_000);
    static final long END = epoch(at(AlertScenario.MINUTES, 0));
    static String database, feedDatabase;
    /** measurement -> its field and tag keys, from SHOW FIELD KEYS / SHOW TAG KEYS after the run. */
    static final Map<String, Set<String>> schema = new TreeMap<>();

    /**
     * The run-off, on its own day (polls 08:00-20:00 Tehran time), compared with the first round's published hours: every
     * constituency had 10 % at 10:00, 20 % at 12:00 ... 60 % at the close, 5 points an hour. Its reports (one branch per
     * constituency, cumulative ballots of 1,000 eligible voters) every two hours from 09:00; grid 10 minutes:
     * <pre>
     *           09:00  11:00  13:00  15:00    at noon, against 20 %
     *   karaj    10 %   20 %   30 %   40 %      0 points, projected 60 %
     *   fardis    3 %    6 %   10 %   43 %    -14 points, projected 18 %
     *   tehran   15 %   25 %   35 %   45 %     +5 points, projected 75 %
     *   Alborz                                 13 %: -7 points, projected 39 %
     *   nation                                 17 %: -3 points, projected 51 %  (projected = today x 60 / 20)
     * </pre>
     * fardis is more than 5 points behind from 09:40 (3 % against 8.33 %) to 14:50: PARTICIPATION_LAGGING, raised 30 minutes
     * later and dated 09:40, and PARTICIPATION_CAUGHT_UP at 15:00 (43 % against 35 %). karaj is never more than 4.17 points
     * behind (just before each report), tehran never behind. No projection before 11:00 (a quarter of the day).
     */
    static final String RUN_OFF = ElectionDayFixtures.RUN_OFF;
    static final String ROUND_ONE_PUBLISHED = """
            constituency_id,polls_open,polls_close,10:00,12:00,14:00,16:00,18:00,final
            karaj,08:00,20:00,10,20,30,40,50,60
            fardis,08:00,20:00,10,20,30,40,50,60
            tehran,08:00,20:00,10,20,30,40,50,60
            """;
    /** {branch, local time, ballots so far}. */
    static final String[][] RUN_OFF_REPORTS = {
            {"alb-karaj-0001", "09:00", "100"}, {"alb-karaj-0001", "11:00", "200"}, {"alb-karaj-0001", "13:00", "300"}, {"alb-karaj-0001", "15:00", "400"},
            {"alb-fardis-0001", "09:00", "30"}, {"alb-fardis-0001", "11:00", "60"}, {"alb-fardis-0001", "13:00", "100"}, {"alb-fardis-0001", "15:00", "430"},
            {"teh-tehran-0001", "09:00", "150"}, {"teh-tehran-0001", "11:00", "250"}, {"teh-tehran-0001", "13:00", "350"}, {"teh-tehran-0001", "15:00", "450"}};
    static final long RUN_OFF_FROM = runOff("07:00"), RUN_OFF_TO = runOff("21:00"), NOON = runOff("12:00");
    static final Map<String, String> RUN_OFF_FARDIS = Map.of("election", RUN_OFF, "constituency", "fardis");
    static final double EPS = 1e-9;

    /** A local time of the run-off day, as epoch milliseconds. */
    static long runOff(String hhmm) {
        return ZonedDateTime.of(ElectionDayFixtures.RUN_OFF_DAY, LocalTime.parse(hhmm), ElectionDayFixtures.TEHRAN).toInstant().toEpochMilli();
    }

    static String runOffIso(String hhmm) {
        return Instant.ofEpochMilli(runOff(hhmm)).atZone(ElectionDayFixtures.TEHRAN).toOffsetDateTime().toString();
    }

    @BeforeAll
    static void runTheLiveJobOverTheAlertScenario(@org.junit.jupiter.api.io.TempDir Path work) throws Exception {
        String run = "grafana" + System.nanoTime();
        String turnoutTopic = "branch.turnout." + run, connectivityTopic = "branch.connectivity." + run;
        String alertsTopic = "branch.alerts." + run, deadLetterTopic = "turnout.dlq." + run;
        kafka.createTopic(turnoutTopic, 2);
        kafka.createTopic(connectivityTopic, 2);
        kafka.createTopic(alertsTopic, 2);
        kafka.createTopic(deadLetterTopic, 1);
        database = influx.createDatabase("grafana");
        AlertScenario.writeReferenceData(work.resolve("reference"));

        AlertScenario scenario = new AlertScenario();
        ConfluentAvroEncoder<TurnoutReport> reports = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        ConfluentAvroEncoder<ConnectivityEvent> events = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (TurnoutReport r : scenario.reports) producer.send(new ProducerRecord<>(turnoutTopic, null, r.getEventTime().toEpochMilli(), utf8(r.getBranchId()), reports.encode(r)));
            for (ConnectivityEvent e : scenario.connectivity) producer.send(new ProducerRecord<>(connectivityTopic, null, e.getEventTime().toEpochMilli(), utf8(e.getBranchId()), events.encode(e)));
            producer.flush();
        }

        // the scenario, bounded and deterministic (as LiveAlertsJobTest runs it): every measurement but the watchdog's
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options(ELECTION, run, turnoutTopic, connectivityTopic, alertsTopic, deadLetterTopic, database, work,
                "--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "1h", "--correction-horizon", "1h", "--checkpoint-interval", "1s"));
        env.execute("grafana-queries");

        // FEED_SILENT only comes from a live job (wall clock): two branches say hello, then nothing; its own database
        feedDatabase = influx.createDatabase("grafana_feed");
        String feedTopic = connectivityTopic + ".feed";
        kafka.createTopic(feedTopic, 2);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (String branch : List.of("alb-karaj-0001", "alb-karaj-0004")) {
                producer.send(new ProducerRecord<>(feedTopic, null, AlertScenario.epoch(0), utf8(branch), events.encode(AlertScenario.event(branch, "karaj", ConnectivityKind.OPENED, 0))));
                producer.send(new ProducerRecord<>(feedTopic, null, AlertScenario.epoch(10 * AlertScenario.SECOND), utf8(branch), events.encode(AlertScenario.event(branch, "karaj", ConnectivityKind.HEARTBEAT, 10 * AlertScenario.SECOND))));
            }
            producer.flush();
        }
        StreamExecutionEnvironment live = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(live, options(ELECTION, run + "-feed", turnoutTopic + ".none", feedTopic, alertsTopic + ".feed", deadLetterTopic, feedDatabase, work,
                "--quiet-feed-after", "1s", "--max-out-of-orderness", "1s", "--heartbeat-timeout", "15s", "--feed-silent-after", "3s", "--checkpoint-interval", "1s"));
        kafka.createTopic(turnoutTopic + ".none", 1);
        kafka.createTopic(alertsTopic + ".feed", 1);
        JobClient job = live.executeAsync("grafana-queries-feed");
        try {
            await("a FEED_SILENT point from the live job").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !influx.query(feedDatabase, "SELECT \"active\" FROM \"alerts\" WHERE \"kind\" = 'FEED_SILENT'").isEmpty());
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }

        // the run-off against the first round's published hours, into the same database: its own bounded job, as its day
        // needs a 10-minute grid and (reports only, no connectivity) a heartbeat timeout longer than the day
        Path published = Files.writeString(work.resolve("round-one-published.csv"), ROUND_ONE_PUBLISHED);
        String runOffTopic = turnoutTopic + ".runoff";
        kafka.createTopic(runOffTopic, 2);
        kafka.createTopic(connectivityTopic + ".runoff", 1);
        kafka.createTopic(alertsTopic + ".runoff", 1);
        ConfluentAvroEncoder<TurnoutReport> runOffReports = ConfluentAvroEncoder.forTopic(registry.config(), runOffTopic, TurnoutReport.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            Map<String, Integer> sequence = new HashMap<>();
            for (String[] r : Arrays.stream(RUN_OFF_REPORTS).sorted(Comparator.comparing(r -> r[1])).toList()) {
                String constituency = AlertScenario.BRANCHES.entrySet().stream().filter(c -> c.getValue().contains(r[0])).findFirst().orElseThrow().getKey();
                TurnoutReport report = TurnoutReport.newBuilder().setElection(RUN_OFF).setBranchId(r[0]).setConstituencyId(constituency)
                        .setSequence(sequence.merge(r[0], 1, Integer::sum)).setBallotsCast(Long.parseLong(r[2])).setEventTime(Instant.ofEpochMilli(runOff(r[1]))).build();
                producer.send(new ProducerRecord<>(runOffTopic, null, runOff(r[1]), utf8(r[0]), runOffReports.encode(report)));
            }
            producer.flush();
        }
        StreamExecutionEnvironment runOffJob = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(runOffJob, options(RUN_OFF, run + "-runoff", runOffTopic, connectivityTopic + ".runoff", alertsTopic + ".runoff", deadLetterTopic, database, work,
                "--bounded", "--quiet-feed-after", "0", "--grid-interval", "10m", "--heartbeat-timeout", "12h", "--max-out-of-orderness", "1m",
                "--checkpoint-interval", "1s", "--polls-open", RUN_OFF + "=" + runOffIso("08:00"), "--polls-close", RUN_OFF + "=" + runOffIso("20:00"),
                "--baseline", RUN_OFF + "=" + published));
        runOffJob.execute("grafana-queries-runoff");

        for (Map<String, Object> m : rows("SHOW MEASUREMENTS")) {
            String measurement = (String) m.get("name");
            Set<String> keys = new TreeSet<>();
            rows("SHOW FIELD KEYS FROM \"" + measurement + "\"").forEach(f -> keys.add((String) f.get("fieldKey")));
            rows("SHOW TAG KEYS FROM \"" + measurement + "\"").forEach(t -> keys.add((String) t.get("tagKey")));
            schema.put(measurement, keys);
        }
    }

    static JobOptions options(String election, String run, String turnoutTopic, String connectivityTopic, String alertsTopic, String deadLetterTopic,
                              String db, Path work, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", turnoutTopic, "--connectivity-topic", connectivityTopic,
                "--alerts-topic", alertsTopic, "--transactional-id-prefix", run, "--dlq-topic", deadLetterTopic, "--group-id", run,
                "--starting-offsets", "earliest", "--registry-url", registry.url(), "--influx-url", influx.url(), "--influx-database", db,
                "--election", election + "=" + work.resolve("reference"), "--max-clock-skew", "0", "--parallelism", "2"));
        args.addAll(List.of(extra));
        return JobOptions.of(args.toArray(new String[0]));
    }

    /** Runs a query against the scenario's database, or the live feed run's when it is about the feed watchdog. */
    static List<Map<String, Object>> rows(String influxql) {
        return influx.query(influxql.contains("'FEED_SILENT'") ? feedDatabase : database, influxql);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ what the dashboards may name

    static final Pattern FROM = Pattern.compile("FROM\\s+\"([^\"]+)\"");
    static final Pattern ALIAS = Pattern.compile("AS\\s+\"([^\"]+)\"");
    static final Pattern IDENTIFIER = Pattern.compile("\"([^\"]+)\"");
    static final Pattern KIND_LITERAL = Pattern.compile("'([A-Z][A-Z0-9_]+)'|/\\^\\(([A-Z0-9_|]+)\\)\\$/");

    /** Fails unless every measurement, field and tag the query names exists in the run's InfluxDB, and every alert kind exists. */
    static void assertNamesExist(String where, String query) {
        Set<String> measurements = new HashSet<>(), keys = new HashSet<>(), aliases = new HashSet<>();
        for (Matcher m = FROM.matcher(query); m.find(); ) {
            assertTrue(schema.containsKey(m.group(1)), where + ": the pipeline writes no measurement " + m.group(1) + " (it writes " + schema.keySet() + ")");
            measurements.add(m.group(1));
            keys.addAll(schema.get(m.group(1)));
        }
        assertFalse(measurements.isEmpty(), where + ": reads a measurement");
        for (Matcher m = ALIAS.matcher(query); m.find(); ) aliases.add(m.group(1));
        for (Matcher m = IDENTIFIER.matcher(query); m.find(); ) {
            String name = m.group(1);
            if (measurements.contains(name) || aliases.contains(name)) continue;
            assertTrue(keys.contains(name), where + ": " + measurements + " has no field or tag " + name + " (it has " + keys + ")");
        }
        for (Matcher m = KIND_LITERAL.matcher(query); m.find(); ) {
            for (String kind : (m.group(1) != null ? m.group(1) : m.group(2)).split("\\|")) AlertKind.valueOf(kind);
        }
    }

    static List<PanelQuery> allDashboardQueries() {
        List<PanelQuery> all = new ArrayList<>(grafana.panelQueries());
        all.addAll(grafana.variableAndAnnotationQueries());
        return all;
    }

    /** The first round's dashboards: election {@link AlertScenario#ELECTION}, constituency fardis. */
    static final Map<String, String> ROUND_ONE_FARDIS = Map.of("election", ELECTION, "constituency", "fardis");

    static List<Map<String, Object>> run(PanelQuery q, long from, long to, String interval) {
        return run(q, ROUND_ONE_FARDIS, from, to, interval);
    }

    static List<Map<String, Object>> run(PanelQuery q, Map<String, String> variables, long from, long to, String interval) {
        return rows(GrafanaProvisioning.substitute(q.query(), variables, from, to, interval));
    }

    static List<Map<String, Object>> panel(String dashboard, String title, long from, long to, String interval) {
        return panel(dashboard, title, ROUND_ONE_FARDIS, from, to, interval);
    }

    static List<Map<String, Object>> panel(String dashboard, String title, Map<String, String> variables, long from, long to, String interval) {
        List<PanelQuery> queries = queriesOf(dashboard, title);
        assertEquals(1, queries.size(), dashboard + " / " + title + ": one query");
        return run(queries.get(0), variables, from, to, interval);
    }

    /** The rows of every query of a panel (Grafana merges them into one table). */
    static List<Map<String, Object>> panelRows(String dashboard, String title, Map<String, String> variables, long from, long to, String interval) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PanelQuery q : queriesOf(dashboard, title)) rows.addAll(run(q, variables, from, to, interval));
        return rows;
    }

    static List<PanelQuery> queriesOf(String dashboard, String title) {
        return grafana.panelQueries().stream().filter(q -> q.dashboard().equals(dashboard) && q.panel().equals(title)).toList();
    }

    static JsonNode panelJson(String dashboard, String title) {
        for (JsonNode panel : grafana.dashboard(dashboard).path("panels")) if (panel.path("title").asText().equals(title)) return panel;
        throw new AssertionError(dashboard + " has no panel " + title);
    }

    /** The colour a panel's thresholds give {@code value} in {@code column}: the column's own thresholds, else the panel's. */
    static String colour(String dashboard, String title, String column, double value) {
        JsonNode panel = panelJson(dashboard, title), thresholds = panel.path("fieldConfig").path("defaults").path("thresholds");
        for (JsonNode override : panel.path("fieldConfig").path("overrides")) {
            if (!override.path("matcher").path("id").asText().equals("byName") || !override.path("matcher").path("options").asText().equals(column)) continue;
            for (JsonNode property : override.path("properties")) if (property.path("id").asText().equals("thresholds")) thresholds = property.path("value");
        }
        String colour = null;
        for (JsonNode step : thresholds.path("steps")) {
            if (step.path("value").isNull() || step.path("value").asDouble() <= value) colour = step.path("color").asText();
        }
        assertNotNull(colour, dashboard + " / " + title + ": thresholds for " + column);
        return colour;
    }

    static double number(Map<String, Object> row, String column) {
        Object v = row.get(column);
        assertTrue(v instanceof Number, column + " in " + row);
        return ((Number) v).doubleValue();
    }

    @Test
    void theRunWroteEveryMeasurementThePipelineHas() {
        assertEquals(Set.of("constituency_turnout", "province_turnout", "national_turnout", "branch_status", "constituency_connectivity", "alerts"),
                schema.keySet());
        assertEquals(Set.of("election", "province", "constituency", "ballots", "eligible", "turnout_pct", "branches_reporting", "branches_total",
                "baseline_pct", "vs_baseline_pts", "projected_pct"), schema.get("constituency_turnout"));
        assertTrue(schema.get("national_turnout").containsAll(Set.of("baseline_pct", "vs_baseline_pts", "projected_pct")), "national: " + schema.get("national_turnout"));
        // ... on the run-off's points only
        assertEquals(List.of(), rows("SELECT count(\"baseline_pct\") FROM \"constituency_turnout\" WHERE \"election\" = '" + ELECTION + "'"));
        assertEquals(Set.of("election", "kind", "constituency", "subject", "branch", "reason", "active", "duration_s", "alert_id"), schema.get("alerts"));
    }

    @Test
    void everyQueryNamesOnlyMeasurementsFieldsAndTagsThePipelineWrites() {
        for (PanelQuery q : allDashboardQueries()) assertNamesExist(q.toString(), q.query());
        for (Map<String, Object> rule : grafana.alertRules()) {
            for (Object node : list(rule.get("data"))) {
                Map<String, Object> model = map(map(node).get("model"));
                if (model.containsKey("query")) assertNamesExist(rule.get("uid") + "/" + model.get("refId"), (String) model.get("query"));
            }
        }
        // the check itself catches a wrong name
        assertThrows(AssertionError.class, () -> assertNamesExist("typo", "SELECT last(\"turnout_percent\") FROM \"national_turnout\" WHERE $timeFilter"));
        assertThrows(AssertionError.class, () -> assertNamesExist("no such measurement", "SELECT last(\"ballots\") FROM \"dead_letters\""));
        assertThrows(AssertionError.class, () -> assertNamesExist("tag of another measurement", "SELECT last(\"ballots\") FROM \"national_turnout\" GROUP BY \"constituency\""));
        assertThrows(IllegalArgumentException.class, () -> assertNamesExist("kind", "SELECT count(\"active\") FROM \"alerts\" WHERE \"kind\" = 'DLQ_FULL'"));
    }

    static final Pattern COMPARES_WITH_BASELINE = Pattern.compile("baseline_pct|vs_baseline_pts|projected_pct|PARTICIPATION_");

    @Test
    void everyPanelVariableAndAnnotationQueryParsesAndReturnsDataOverTheMorning() {
        List<String> empty = new ArrayList<>(), withoutBaseline = new ArrayList<>();
        Set<String> comparing = new TreeSet<>();
        for (PanelQuery q : allDashboardQueries()) {
            // a query InfluxDB rejects throws here, with its error message
            if (COMPARES_WITH_BASELINE.matcher(q.query()).find()) {
                // only the run-off has a baseline: data over its day (lagging still active at noon), nothing for the first round
                comparing.add(q.dashboard() + " / " + q.panel());
                if (run(q, RUN_OFF_FARDIS, RUN_OFF_FROM, RUN_OFF_TO, "10m").isEmpty() && run(q, RUN_OFF_FARDIS, RUN_OFF_FROM, NOON, "10m").isEmpty()) empty.add(q.toString());
                if (!run(q, RANGE_FROM, RANGE_TO, "10s").isEmpty()) withoutBaseline.add(q.toString());
                continue;
            }
            // "now"-style panels (active alerts, dark branches) show something mid-morning, the others at the end
            if (run(q, RANGE_FROM, RANGE_TO, "10s").isEmpty() && run(q, RANGE_FROM, epoch(at(10, 0)), "10s").isEmpty()) empty.add(q.toString());
        }
        assertEquals(List.of(), empty, "queries without data after the scenarios");
        assertEquals(List.of(), withoutBaseline, "comparisons with data for an election without a baseline");
        assertEquals(Set.of("turnout-national / National turnout vs baseline", "turnout-national / Projected final turnout (national)",
                "turnout-national / National turnout against baseline", "turnout-national / Constituencies against baseline", "turnout-national / Active alerts",
                "turnout-constituency / Turnout vs baseline", "turnout-constituency / Projected final turnout", "turnout-constituency / Turnout against baseline"),
                comparing);
        assertEquals(Set.of(ELECTION, RUN_OFF), values(run(variable("turnout-national", "election"), RANGE_FROM, RANGE_TO, "10s")));
        assertEquals(Set.of("karaj", "fardis", "tehran"), values(run(variable("turnout-constituency", "constituency"), RANGE_FROM, RANGE_TO, "10s")));
    }

    static PanelQuery variable(String dashboard, String name) {
        return grafana.variableAndAnnotationQueries().stream()
                .filter(q -> q.dashboard().equals(dashboard) && q.panel().equals("variable " + name)).findFirst().orElseThrow();
    }

    static Set<String> values(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> (String) r.get("value")).collect(Collectors.toSet());
    }

    @Test
    void theNationalOverviewShowsTheMorning() {
        // every branch's last report counts 100 ballots; 1,000 eligible per constituency
        assertEquals(30.0, number(panel("turnout-national", "National turnout", RANGE_FROM, RANGE_TO, "10s").get(0), "turnout"), 1e-9);
        Map<String, Object> reporting = panel("turnout-national", "Branches reporting", RANGE_FROM, RANGE_TO, "10s").get(0);
        assertEquals(9.0, number(reporting, "reporting"));
        assertEquals(9.0, number(reporting, "total"));

        Map<String, double[]> table = new TreeMap<>();
        for (Map<String, Object> row : panel("turnout-national", "Constituencies by turnout", RANGE_FROM, RANGE_TO, "10s")) {
            table.put((String) row.get("constituency"), new double[]{number(row, "turnout %"), number(row, "branches reporting"), number(row, "branches total")});
        }
        assertEquals(List.of("fardis", "karaj", "tehran"), new ArrayList<>(table.keySet()));
        assertEquals(List.of(30.0, 3.0, 3.0), boxed(table.get("fardis")));
        assertEquals(List.of(40.0, 4.0, 4.0), boxed(table.get("karaj")));
        assertEquals(List.of(20.0, 2.0, 2.0), boxed(table.get("tehran")));

        List<Map<String, Object>> provinces = rows(GrafanaProvisioning.substitute(grafana.panelQueries().stream()
                .filter(q -> q.panel().equals("Turnout % over the day") && q.refId().equals("B")).findFirst().orElseThrow().query(),
                Map.of("election", ELECTION), RANGE_FROM, RANGE_TO, "1m"));
        assertEquals(Set.of("Alborz", "Tehran"), provinces.stream().map(r -> (String) r.get("province")).collect(Collectors.toSet()));

        // nine branches, five ballots each per minute, while nobody is silent (the first three minutes)
        List<Map<String, Object>> perMinute = panel("turnout-national", "Ballots per minute (national)", RANGE_FROM, RANGE_TO, "1m");
        List<Double> early = perMinute.stream().filter(r -> number(r, "time") > epoch(at(0, 30)) && number(r, "time") < epoch(at(4, 0)))
                .map(r -> number(r, "non_negative_derivative")).toList();
        assertFalse(early.isEmpty());
        for (double v : early) assertEquals(45.0, v, 1e-9, "ballots per minute: " + perMinute);

        // at 10:00 fardis is dark (since 8:00, degraded since 9:00); at the end only the silent feed is open
        long tenMinutes = epoch(at(10, 0));
        assertEquals(3.0, number(panel("turnout-national", "Branches dark now", RANGE_FROM, tenMinutes, "10s").get(0), "dark"));
        assertEquals(Set.of("OUTAGE_STARTED alb-fardis-0001", "OUTAGE_STARTED alb-fardis-0002", "OUTAGE_STARTED alb-fardis-0003", "CONSTITUENCY_DEGRADED fardis"),
                activeAlerts(tenMinutes));
        assertEquals(Set.of(), activeAlerts(RANGE_TO), "every outage ended, fardis recovered");
        assertEquals(Set.of("OUTAGE_STARTED alb-karaj-0003"), activeAlerts(epoch(at(11, 0))));
    }

    static Set<String> activeAlerts(long now) {
        return activeAlerts(ROUND_ONE_FARDIS, RANGE_FROM, now);
    }

    static Set<String> activeAlerts(Map<String, String> variables, long from, long now) {
        return panelRows("turnout-national", "Active alerts", variables, from, now, "10s").stream()
                .map(r -> r.get("kind") + " " + r.get("subject")).collect(Collectors.toSet());
    }

    static List<Double> boxed(double[] values) {
        List<Double> list = new ArrayList<>();
        for (double v : values) list.add(v);
        return list;
    }

    @Test
    void theConstituencyDetailShowsFardisGoingDarkAndComingBack() {
        List<Map<String, Object>> atTen = panel("turnout-constituency", "Branch status", RANGE_FROM, epoch(at(10, 0)), "10s");
        assertEquals(Set.of("alb-fardis-0001", "alb-fardis-0002", "alb-fardis-0003"), atTen.stream().map(r -> (String) r.get("branch")).collect(Collectors.toSet()));
        for (Map<String, Object> row : atTen) {
            assertEquals(1.0, number(row, "status"), "DOWN: " + row);
            assertEquals((double) epoch(at(8, 0)), number(row, "down since"), "down since it was last heard: " + row);
        }
        for (Map<String, Object> row : panel("turnout-constituency", "Branch status", RANGE_FROM, RANGE_TO, "10s")) {
            assertEquals(0.0, number(row, "status"), "closed at the end: " + row);
        }

        List<Map<String, Object>> timeline = panel("turnout-constituency", "Outage timeline", RANGE_FROM, RANGE_TO, "1m");
        Map<Long, Double> branch1 = new TreeMap<>();
        for (Map<String, Object> row : timeline) {
            if ("alb-fardis-0001".equals(row.get("branch")) && row.get("status") != null) branch1.put((long) number(row, "time"), number(row, "status"));
        }
        assertEquals(2.0, branch1.get(epoch(at(5, 0))), "up at 5:00");
        assertEquals(1.0, branch1.get(epoch(at(10, 0))), "down at 10:00");
        assertEquals(2.0, branch1.get(epoch(at(12, 0))), "up again at 12:00");
        assertEquals(0.0, branch1.get(epoch(at(20, 0))), "closed at 20:00");

        Map<String, Long> kinds = panel("turnout-constituency", "Alerts in this constituency", RANGE_FROM, RANGE_TO, "10s").stream()
                .collect(Collectors.groupingBy(r -> (String) r.get("kind"), TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("OUTAGE_STARTED", 3L, "OUTAGE_ENDED", 3L, "CONSTITUENCY_DEGRADED", 1L, "CONSTITUENCY_RECOVERED", 1L), kinds);
        PanelQuery annotation = grafana.variableAndAnnotationQueries().stream().filter(q -> q.panel().equals("annotation Alerts")).findFirst().orElseThrow();
        assertEquals(8, run(annotation, RANGE_FROM, RANGE_TO, "10s").size(), "an annotation per alerts point");

        List<Map<String, Object>> coverage = panel("turnout-constituency", "Branch coverage", RANGE_FROM, RANGE_TO, "10s");
        assertEquals(3.0, number(coverage.get(0), "reporting"));
        assertEquals(3.0, number(coverage.get(0), "total"));
    }

    @Test
    void theConnectivityDashboardShowsOutagesTheFeedAndIntegrity() {
        List<Map<String, Object>> longest = panel("turnout-connectivity", "Longest outages (ended)", RANGE_FROM, RANGE_TO, "10s");
        Map<String, Double> seconds = new TreeMap<>();
        for (Map<String, Object> row : longest) seconds.put((String) row.get("subject"), number(row, "seconds down"));
        assertEquals(Map.of("alb-fardis-0001", 180.0, "alb-fardis-0002", 180.0, "alb-fardis-0003", 180.0,
                "alb-karaj-0002", 150.0, "alb-karaj-0003", 120.0), seconds);

        assertEquals(1.0, number(panel("turnout-connectivity", "Feed", RANGE_FROM, RANGE_TO, "10s").get(0), "feed"), "SILENT after the live run");
        assertEquals(List.of(), panel("turnout-connectivity", "Feed", RANGE_FROM, epoch(at(0, 5)), "10s"), "no silence before the feed stopped");
        assertEquals(1.0, number(panel("turnout-connectivity", "Integrity alerts", RANGE_FROM, RANGE_TO, "10s").stream()
                .filter(r -> r.containsKey("integrity alerts")).findFirst().orElseThrow(), "integrity alerts"));
        double maxFardisDown = panel("turnout-connectivity", "Branches down by constituency", RANGE_FROM, RANGE_TO, "10s").stream()
                .filter(r -> "fardis".equals(r.get("constituency"))).mapToDouble(r -> number(r, "last")).max().orElseThrow();
        assertEquals(3.0, maxFardisDown);
        Map<String, Object> latest = panel("turnout-connectivity", "Latest turnout point", RANGE_FROM, RANGE_TO, "10s").get(0);
        assertTrue(number(latest, "time") >= epoch(at(19, 0)) && number(latest, "time") <= END, "the last point is at the last report: " + latest);
    }

    // ------------------------------------------------------------------ the run-off against its baseline (issue 14)

    static final Map<String, String> RUN_OFF_NATION = Map.of("election", RUN_OFF);

    /** The row of a time series at {@code instant}. */
    static Map<String, Object> rowAt(List<Map<String, Object>> series, long instant) {
        return series.stream().filter(r -> number(r, "time") == instant).findFirst().orElseThrow(() -> new AssertionError("no row at " + instant + " in " + series));
    }

    @Test
    void theNationalOverviewShowsTheRunOffAgainstTheFirstRound() {
        // at noon: 17 % against 20 %, projected 17 x 60 / 20
        double vs = number(panel("turnout-national", "National turnout vs baseline", RUN_OFF_NATION, RUN_OFF_FROM, NOON, "10m").get(0), "vs baseline");
        assertEquals(-3.0, vs, EPS);
        assertEquals("red", colour("turnout-national", "National turnout vs baseline", "vs baseline", vs), "behind: red");
        assertEquals(51.0, number(panel("turnout-national", "Projected final turnout (national)", RUN_OFF_NATION, RUN_OFF_FROM, NOON, "10m").get(0), "projected final"), EPS);
        assertEquals(List.of(), panel("turnout-national", "Projected final turnout (national)", RUN_OFF_NATION, RUN_OFF_FROM, runOff("10:30"), "10m"),
                "no projection before a quarter of the day");
        Map<String, Object> noon = rowAt(panel("turnout-national", "National turnout against baseline", RUN_OFF_NATION, RUN_OFF_FROM, RUN_OFF_TO, "10m"), NOON);
        assertEquals(17.0, number(noon, "today"), EPS);
        assertEquals(20.0, number(noon, "baseline"), EPS);
        assertEquals(51.0, number(noon, "projected final"), EPS);

        // per constituency, furthest behind first: fardis red
        Map<String, List<Double>> table = new TreeMap<>();
        for (Map<String, Object> row : panel("turnout-national", "Constituencies against baseline", RUN_OFF_NATION, RUN_OFF_FROM, NOON, "10m")) {
            table.put(row.get("province") + "/" + row.get("constituency"),
                    List.of(number(row, "turnout %"), number(row, "baseline %"), number(row, "vs baseline (points)"), number(row, "projected final %")));
        }
        assertEquals(Map.of("Alborz/fardis", List.of(6.0, 20.0, -14.0, 18.0), "Alborz/karaj", List.of(20.0, 20.0, 0.0, 60.0),
                "Tehran/tehran", List.of(25.0, 20.0, 5.0, 75.0)), table);
        JsonNode sortBy = panelJson("turnout-national", "Constituencies against baseline").path("options").path("sortBy").get(0);
        assertEquals("vs baseline (points)", sortBy.path("displayName").asText());
        assertFalse(sortBy.path("desc").asBoolean(), "furthest behind first");
        assertEquals("red", colour("turnout-national", "Constituencies against baseline", "vs baseline (points)", -14.0));
        assertEquals("green", colour("turnout-national", "Constituencies against baseline", "vs baseline (points)", 0.0));

        // fardis lagging is an active alert at noon, no more once it caught up (15:00)
        assertEquals(Set.of("PARTICIPATION_LAGGING fardis"), activeAlerts(RUN_OFF_NATION, RUN_OFF_FROM, NOON));
        assertEquals(Set.of(), activeAlerts(RUN_OFF_NATION, RUN_OFF_FROM, RUN_OFF_TO));

        // the first round has no baseline: no data, and the stats say so
        assertEquals(List.of(), panel("turnout-national", "National turnout vs baseline", RANGE_FROM, RANGE_TO, "10s"));
        assertEquals("no baseline", panelJson("turnout-national", "National turnout vs baseline").path("fieldConfig").path("defaults").path("noValue").asText());
        assertEquals("no projection", panelJson("turnout-national", "Projected final turnout (national)").path("fieldConfig").path("defaults").path("noValue").asText());
    }

    @Test
    void theConstituencyDetailShowsFardisLaggingBehindItsBaselineAndCatchingUp() {
        double vs = number(panel("turnout-constituency", "Turnout vs baseline", RUN_OFF_FARDIS, RUN_OFF_FROM, NOON, "10m").get(0), "vs baseline");
        assertEquals(-14.0, vs, EPS);
        assertEquals("red", colour("turnout-constituency", "Turnout vs baseline", "vs baseline", vs));
        assertEquals(18.0, number(panel("turnout-constituency", "Projected final turnout", RUN_OFF_FARDIS, RUN_OFF_FROM, NOON, "10m").get(0), "projected final"), EPS);
        List<Map<String, Object>> series = panel("turnout-constituency", "Turnout against baseline", RUN_OFF_FARDIS, RUN_OFF_FROM, RUN_OFF_TO, "10m");
        assertEquals(List.of(6.0, 20.0, 18.0), List.of(number(rowAt(series, NOON), "today"), number(rowAt(series, NOON), "baseline"), number(rowAt(series, NOON), "projected final")));
        assertEquals(List.of(43.0, 35.0), List.of(number(rowAt(series, runOff("15:00")), "today"), number(rowAt(series, runOff("15:00")), "baseline")), "caught up at 15:00");
        double karaj = number(panel("turnout-constituency", "Turnout vs baseline", Map.of("election", RUN_OFF, "constituency", "karaj"), RUN_OFF_FROM, NOON, "10m").get(0), "vs baseline");
        assertEquals(0.0, karaj, EPS);
        assertEquals("green", colour("turnout-constituency", "Turnout vs baseline", "vs baseline", karaj));

        // the lagging episode in the alerts table and as annotations: dated when fardis fell behind, ended when it caught up
        Map<String, Map<String, Object>> alerts = new TreeMap<>();
        for (Map<String, Object> row : panel("turnout-constituency", "Alerts in this constituency", RUN_OFF_FARDIS, RUN_OFF_FROM, RUN_OFF_TO, "10m")) {
            alerts.put((String) row.get("kind"), row);
        }
        assertEquals(Set.of("PARTICIPATION_LAGGING", "PARTICIPATION_CAUGHT_UP"), alerts.keySet());
        assertEquals((double) runOff("09:40"), number(alerts.get("PARTICIPATION_LAGGING"), "time"));
        assertEquals(1.0, number(alerts.get("PARTICIPATION_LAGGING"), "active"));
        assertEquals((double) runOff("15:00"), number(alerts.get("PARTICIPATION_CAUGHT_UP"), "time"));
        assertEquals(0.0, number(alerts.get("PARTICIPATION_CAUGHT_UP"), "active"));
        assertEquals(5 * 3600 + 20 * 60, number(alerts.get("PARTICIPATION_CAUGHT_UP"), "duration_s"), "behind from 09:40 to 15:00");
        PanelQuery annotation = grafana.variableAndAnnotationQueries().stream().filter(q -> q.panel().equals("annotation Alerts")).findFirst().orElseThrow();
        assertEquals(2, run(annotation, RUN_OFF_FARDIS, RUN_OFF_FROM, RUN_OFF_TO, "10m").size());

        // the first round: nothing to compare, no error
        assertEquals(List.of(), panel("turnout-constituency", "Turnout against baseline", RANGE_FROM, RANGE_TO, "10s"));
        assertEquals("no baseline", panelJson("turnout-constituency", "Turnout against baseline").path("fieldConfig").path("defaults").path("noValue").asText());
    }

    // ------------------------------------------------------------------ alert rules, evaluated as Grafana does

    static Map<String, Object> rule(String uid) {
        return grafana.alertRules().stream().filter(r -> uid.equals(r.get("uid"))).findFirst().orElseThrow();
    }

    /**
     * Evaluates a rule at {@code now}: each InfluxQL node over [now - from, now - to] of its relativeTimeRange
     * ({@code toOverride} replaces a node's "to", in seconds), the last value per series (labels = tags), then the
     * rule's reduce (last), math ({@code $X * $Y}) and threshold (gt/lt) nodes. Returns labels -> firing; an empty
     * map is NoData (the queries returned no series).
     */
    static Map<Map<String, String>, Boolean> evaluate(String uid, long now, Map<String, Long> toOverride) {
        Map<String, Object> rule = rule(uid);
        Map<String, Map<Map<String, String>, Double>> results = new HashMap<>();
        Map<Map<String, String>, Boolean> condition = null;
        for (Object o : list(rule.get("data"))) {
            Map<String, Object> node = map(o), model = map(node.get("model"));
            String refId = (String) node.get("refId");
            if (GrafanaProvisioning.DATASOURCE_UID.equals(node.get("datasourceUid"))) {
                Map<String, Object> range = map(node.get("relativeTimeRange"));
                long from = now - ((Number) range.get("from")).longValue() * 1000;
                long to = now - toOverride.getOrDefault(refId, ((Number) range.get("to")).longValue()) * 1000;
                Map<Map<String, String>, Double> series = new HashMap<>();
                for (Map<String, Object> row : rows(GrafanaProvisioning.substitute((String) model.get("query"), Map.of(), from, to, "1m"))) {
                    Map<String, String> labels = new TreeMap<>();
                    Double value = null;
                    for (Map.Entry<String, Object> c : row.entrySet()) {
                        if (c.getValue() instanceof String s) labels.put(c.getKey(), s);
                        else if (!c.getKey().equals("time") && c.getValue() instanceof Number n) value = n.doubleValue();
                    }
                    if (value != null) series.put(labels, value);
                }
                results.put(refId, series);
                continue;
            }
            String type = (String) model.get("type"), expression = (String) model.get("expression");
            switch (type) {
                case "reduce" -> {
                    assertEquals("last", model.get("reducer"), uid + "/" + refId);
                    results.put(refId, results.get(expression));
                }
                case "math" -> {
                    Matcher m = Pattern.compile("\\$(\\w+) \\* \\$(\\w+)").matcher(expression);
                    assertTrue(m.matches(), uid + ": math this test understands: " + expression);
                    Map<Map<String, String>, Double> left = results.get(m.group(1)), right = results.get(m.group(2)), product = new HashMap<>();
                    left.forEach((labels, v) -> { if (right.containsKey(labels)) product.put(labels, v * right.get(labels)); });
                    results.put(refId, product);
                }
                case "threshold" -> {
                    Map<String, Object> evaluator = map(map(list(model.get("conditions")).get(0)).get("evaluator"));
                    double limit = ((Number) list(evaluator.get("params")).get(0)).doubleValue();
                    String op = (String) evaluator.get("type");
                    Map<Map<String, String>, Boolean> firing = new HashMap<>();
                    results.get(expression).forEach((labels, v) -> firing.put(labels, op.equals("gt") ? v > limit : switch (op) {
                        case "lt" -> v < limit;
                        default -> throw new AssertionError(uid + ": threshold " + op);
                    }));
                    if (refId.equals(rule.get("condition"))) condition = firing;
                }
                default -> fail(uid + ": expression type " + type);
            }
        }
        assertTrue(condition != null, uid + ": condition evaluated");
        return condition;
    }

    static Set<String> firing(Map<Map<String, String>, Boolean> result, String label) {
        return result.entrySet().stream().filter(Map.Entry::getValue).map(e -> e.getKey().get(label)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void branchDownRuleFiresForBranchesDownAtBothEndsOfItsWindow() {
        // The scenario's outages last 2-3 minutes, the rule's window 10: evaluated as it stands, nothing fires,
        // but every branch with a status is evaluated (not NoData).
        Map<Map<String, String>, Boolean> asIs = evaluate("turnout-branch-down-long", epoch(at(10, 30)), Map.of());
        assertEquals(Set.of(), firing(asIs, "branch"));
        assertEquals(9, asIs.size(), "all nine branches evaluated: " + asIs);
        // The same queries with the window shortened to one minute (scenario scale): fardis (down since 8:00,
        // detected 9:00) fires, karaj-0003 (LINK_DOWN at 10:05) not yet, karaj-0002 (back at 7:00) no more.
        Map<Map<String, String>, Boolean> oneMinute = evaluate("turnout-branch-down-long", epoch(at(10, 30)), Map.of("BEFORE", 60L));
        assertEquals(Set.of("alb-fardis-0001", "alb-fardis-0002", "alb-fardis-0003"), firing(oneMinute, "branch"));
        oneMinute.keySet().forEach(labels -> assertEquals(Set.of("election", "constituency", "branch"), labels.keySet()));
        assertEquals(Set.of("alb-karaj-0003"), firing(evaluate("turnout-branch-down-long", epoch(at(11, 30)), Map.of("BEFORE", 60L)), "branch"));
    }

    @Test
    void degradedFeedSilentStalledAndIntegrityRulesFollowTheScenario() {
        assertEquals(Map.of(Map.of("election", ELECTION, "constituency", "fardis"), true), evaluate("turnout-constituency-degraded", epoch(at(10, 0)), Map.of()));
        assertEquals(Map.of(Map.of("election", ELECTION, "constituency", "fardis"), false), evaluate("turnout-constituency-degraded", epoch(at(11, 30)), Map.of()));
        assertEquals(Map.of(), evaluate("turnout-constituency-degraded", epoch(at(8, 30)), Map.of()), "NoData before: OK");

        assertEquals(Map.of(Map.of("election", ELECTION), true), evaluate("turnout-feed-silent", END + 60_000, Map.of()));
        assertEquals(Map.of(), evaluate("turnout-feed-silent", epoch(at(0, 5)), Map.of()), "NoData while the feed runs: OK");

        assertEquals(Map.of(Map.of("election", ELECTION), false), evaluate("turnout-pipeline-stalled", epoch(at(10, 0)), Map.of()), "points flowing");
        assertEquals(Map.of(), evaluate("turnout-pipeline-stalled", END + 11 * 60_000, Map.of()), "no point for 10 minutes: NoData");
        assertEquals("Alerting", rule("turnout-pipeline-stalled").get("noDataState"), "... which alerts");

        Map<String, String> regression = Map.of("election", ELECTION, "constituency", "tehran", "kind", "COUNT_REGRESSION");
        assertEquals(Map.of(regression, true), evaluate("turnout-integrity", epoch(at(6, 0)), Map.of()));
        assertEquals(Map.of(), evaluate("turnout-integrity", epoch(at(21, 0)), Map.of()), "15 minutes later: NoData, OK");
    }

    @Test
    void laggingRuleFiresForTheConstituencyBehindItsBaselineUntilItCatchesUp() {
        String lagging = "turnout-participation-lagging";
        assertEquals(Map.of(RUN_OFF_FARDIS, true), evaluate(lagging, NOON, Map.of()), "fardis only: karaj and tehran never lagged");
        assertEquals(Map.of(RUN_OFF_FARDIS, false), evaluate(lagging, runOff("16:00"), Map.of()), "caught up at 15:00");
        assertEquals(Map.of(), evaluate(lagging, runOff("09:30"), Map.of()), "NoData before fardis fell behind: OK");
        assertEquals(Map.of(), evaluate(lagging, epoch(at(10, 0)), Map.of()), "the first round has no baseline: NoData, OK");
        assertEquals("OK", rule(lagging).get("noDataState"));
    }
}
