package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.audit.IndependentRecount;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `turnout replay` as an operator runs it, over one small seeded day sent once through the real broker and
 * registry: exact offset ranges, the refusals, a paced rehearsal into live-shaped outputs, and the progress line.
 */
class ReplayCommandTest {
    static final String ELECTION = "2024-replaycmd-r1";
    static final String TURNOUT = "replaycmd.branch.turnout";
    static final String CONNECTIVITY = "replaycmd.branch.connectivity";
    static final String DLQ = "replaycmd.turnout.dlq";
    static final String ALERTS = "replaycmd.branch.alerts";
    static final String REPLAY_ALERTS = "replaycmd.branch.alerts.replay";
    /** "[####------]  40%  1,234 / 3,085 records  elapsed 0:02  ETA 0:03" */
    static final Pattern PROGRESS_LINE = Pattern.compile(
            "\\[[#-]{30}] +(\\d+)% +([\\d,]+) / ([\\d,]+) records +elapsed \\d+:\\d\\d +ETA (\\d+:\\d\\d|--:--)");

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir static Path work;
    static Path reference;
    static String liveDatabase;
    static String auditDatabase;
    static Instant sentFrom;
    static Instant sentTo;
    static List<ConsumerRecord<byte[], byte[]>> turnoutRecords;

    /** A short seeded day with malformed records, sent once for the whole class; no live job needed to replay it. */
    @BeforeAll
    static void aShortDayInKafka() {
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(30).withConstituencies(3).withProvinces(2).withEligibleVoters(30_000L).validate());
        reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);
        kafka.createTopic(TURNOUT, 2);
        kafka.createTopic(CONNECTIVITY, 2);
        kafka.createTopic(DLQ, 1);
        kafka.createTopic(ALERTS, 1);
        kafka.createTopic(REPLAY_ALERTS, 1);
        liveDatabase = influx.createDatabase("live");
        auditDatabase = influx.createDatabase("audit");

        Path truthFile = work.resolve("truth.json");
        run(0, "simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--polls-open", "08:00", "--polls-close", "08:40", "--max",
                "--seed", "7", "--malformed-rate", "0.03", "--truth", truthFile.toString());
        GroundTruth truth = GroundTruth.read(truthFile);
        sentFrom = Instant.parse(truth.pollsOpen()).minusSeconds(60);
        sentTo = Instant.parse(truth.pollsClose()).plus(Duration.ofHours(1));
        turnoutRecords = kafka.consumeAll(TURNOUT, false, Duration.ofMillis(200));
        assertTrue(turnoutRecords.size() > 300, "the day's turnout records: " + turnoutRecords.size());
    }

    @Test
    void exactOffsetsReplayExactlyThoseRecords() throws Exception {
        long end0 = endOffset(0), end1 = endOffset(1);
        // a stretch from the middle of partition 0 and the start of partition 1: nothing before, after or elsewhere
        long from0 = end0 / 4, to0 = end0 * 3 / 4, to1 = end1 / 2;
        String offsets = TURNOUT + ":0:" + from0 + "-" + to0 + "," + TURNOUT + ":1:0-" + to1;
        Path report = work.resolve("offsets-1.json");
        Result replay = replay("offsets-1", "--offsets", offsets);
        assertEquals(0, replay.code, replay.output());

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals("SUCCEEDED", json.path("status").asText());
        assertEquals("offsets", json.path("input").path("resolvedFrom").asText(), "the report says the range was given by offsets");
        Map<String, String> listed = new TreeMap<>();
        json.path("input").path("partitions").forEach(p -> listed.put(p.path("topic").asText() + ":" + p.path("partition").asInt(),
                p.path("fromOffset").asLong() + "-" + p.path("toOffset").asLong()));
        assertEquals(Map.of(TURNOUT + ":0", from0 + "-" + to0, TURNOUT + ":1", "0-" + to1), listed);
        long expected = (to0 - from0) + to1;
        assertEquals(expected, json.path("recordsExpected").asLong());
        assertEquals(expected, json.path("recordsReplayed").asLong(), "every record of the range once, no other");

        // the points are those of exactly these records: the independent recount of them, point for point
        List<RawRecord> chosen = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : turnoutRecords) {
            boolean in = r.partition() == 0 ? r.offset() >= from0 && r.offset() < to0 : r.offset() < to1;
            if (in) chosen.add(new RawRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
        }
        assertEquals(expected, chosen.size());
        chosen.sort(Comparator.comparingLong((RawRecord r) -> r.timestamp));
        Map<String, String> recount = recountedConstituencyPoints(chosen);
        Map<String, String> replayed = new TreeMap<>();
        for (Map<String, Object> row : influx.query(auditDatabase, "SELECT ballots, branches_reporting, constituency FROM constituency_turnout "
                + "WHERE election = '" + ELECTION + "' AND run = 'offsets-1'")) {
            replayed.put(row.get("constituency") + "@" + Instant.ofEpochMilli(((Number) row.get("time")).longValue()),
                    row.get("ballots") + "/" + row.get("branches_reporting"));
        }
        assertTrue(recount.size() > 50, "recounted points: " + recount.size());
        assertEquals(recount, replayed, "replayed points vs the recount of exactly the chosen records");
        // and the whole day counts more: a replay that read past the range would have these totals
        assertFalse(recountedConstituencyPoints(allRecords()).equals(recount));
    }

    @Test
    void outputsThatAreTheLiveOnesAreRefused() {
        assertRefused(List.of("--from", sentFrom.toString(), "--to", sentTo.toString(), "--audit-database", liveDatabase),
                "refused: --audit-database " + liveDatabase + " is the live database");
        assertRefused(List.of("--from", sentFrom.toString(), "--to", sentTo.toString(), "--replay-alerts-topic", ALERTS),
                "refused: --replay-alerts-topic " + ALERTS + " is the live alerts topic");
        assertRefused(List.of("--from", sentFrom.toString(), "--to", sentTo.toString(), "--replay-dlq-topic", DLQ),
                "refused: --replay-dlq-topic " + DLQ + " is the live DLQ");
    }

    @Test
    void badRangesAreRefusedWithTheReason() {
        assertRefused(List.of("--offsets", TURNOUT + ":zero:0-10"), "--offsets: '" + TURNOUT + ":zero:0-10' is not topic:partition:from-to");
        assertRefused(List.of("--offsets", TURNOUT + ":0:10-5"), "ends before it starts");
        assertRefused(List.of("--from", sentTo.toString(), "--to", sentFrom.toString()), "--from " + sentTo + " is not before --to " + sentFrom);
        assertRefused(List.of("--from-archive", work.resolve("no-such-archive").toUri().toString(), "--from", sentTo.toString(), "--to", sentFrom.toString()),
                "is not before --to");
        Path missing = work.resolve("no-such-archive");
        assertRefused(List.of("--from-archive", missing.toUri().toString()), "no archive at " + missing.toUri());
        assertRefused(List.of("--from-archive", missing.toString()), "no archive at ");
    }

    @Test
    void aRehearsalIsPacedAndWritesLiveShapedOutputs() throws Exception {
        String testLiveDatabase = influx.createDatabase("rehearsal");
        String testDlq = DLQ; // the environment's DLQ: no replay of this class writes dead letters elsewhere (they are dropped)
        long end0 = endOffset(0);
        long[] span = timestampSpan(0, 0, end0);
        double spanSeconds = (span[1] - span[0]) / 1000.0;
        double speed = spanSeconds / 4.0; // the simulated stretch in about four seconds
        assertTrue(spanSeconds > 600, "the stretch covers the day: " + spanSeconds + " s");

        long started = System.nanoTime();
        List<String> args = new ArrayList<>(List.of("replay"));
        args.addAll(common("--influx-database", testLiveDatabase, "--rehearse", "--speed", Double.toString(speed),
                "--run-id", "drill-1", "--transactional-id-prefix", "replaycmd-drill-1", "--checkpoint-interval", "1s",
                "--report", work.resolve("drill-1.json").toString(), "--offsets", TURNOUT + ":0:0-" + end0));
        Result drill = execute(args);
        double wallSeconds = (System.nanoTime() - started) / 1e9;
        assertEquals(0, drill.code, drill.output());
        assertTrue(drill.err.contains("REHEARSAL"), drill.err);
        assertTrue(wallSeconds >= spanSeconds / speed, "paced at " + speed + "x: " + spanSeconds + " simulated s took only " + wallSeconds + " s");

        // live-shaped: the test environment's live database, no run tag, its DLQ
        List<Map<String, Object>> points = influx.query(testLiveDatabase, "SELECT ballots, constituency FROM constituency_turnout WHERE election = '"
                + ELECTION + "'");
        assertTrue(points.size() > 50, "points in the live-shaped database: " + points.size());
        assertTrue(influx.query(testLiveDatabase, "SHOW TAG KEYS FROM constituency_turnout").stream().noneMatch(r -> "run".equals(r.get("tagKey"))),
                "no run tag in a rehearsal");
        JsonNode report = new ObjectMapper().readTree(work.resolve("drill-1.json").toFile());
        assertTrue(report.path("rehearsal").asBoolean());
        assertEquals(testLiveDatabase, report.path("outputs").path("database").asText());
        assertEquals(ALERTS, report.path("outputs").path("alertsTopic").asText());
        long malformed = turnoutRecords.stream().filter(r -> r.partition() == 0 && r.offset() < end0)
                .filter(r -> r.value() == null || r.value().length < 5 || r.value()[0] != 0).count();
        assertTrue(malformed > 0, "the stretch has records with a bad magic byte");
        assertTrue(kafka.consumeAll(testDlq, true, Duration.ofMillis(200)).size() >= malformed, "dead letters go to the environment's DLQ");

        // the progress line, with records and an ETA, while it ran
        List<Matcher> lines = progressLines(drill.err);
        assertFalse(lines.isEmpty(), "a progress line: " + drill.err);
        assertTrue(lines.stream().anyMatch(m -> m.group(4).matches("\\d+:\\d\\d") && Integer.parseInt(m.group(1)) < 100),
                "an ETA while records were still coming: " + drill.err);
        Matcher last = lines.get(lines.size() - 1);
        assertEquals("100", last.group(1), drill.err);
        assertEquals(String.format("%,d", end0), last.group(2));
        assertEquals(String.format("%,d", end0), last.group(3));
    }

    @Test
    void aRehearsalByTimeStartsItsClockAtFrom() {
        // the range starts 30 simulated minutes before the first record of either topic: a drill waits through the
        // quiet stretch too, on every source subtask alike (a clock started at each subtask's first record would not)
        List<ConsumerRecord<byte[], byte[]>> both = new ArrayList<>(turnoutRecords);
        both.addAll(kafka.consumeAll(CONNECTIVITY, false, Duration.ofMillis(200)));
        long first = both.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
        Instant from = Instant.ofEpochMilli(first).minus(Duration.ofMinutes(30)), to = Instant.ofEpochMilli(first).plus(Duration.ofMinutes(5));
        long last = both.stream().mapToLong(ConsumerRecord::timestamp).filter(t -> t < to.toEpochMilli()).max().orElseThrow();
        double spanSeconds = (last - from.toEpochMilli()) / 1000.0;
        double speed = spanSeconds / 6.0;
        long started = System.nanoTime();
        List<String> args = new ArrayList<>(List.of("replay"));
        args.addAll(common("--influx-database", influx.createDatabase("rehearsal"), "--rehearse", "--speed", Double.toString(speed),
                "--run-id", "drill-2", "--transactional-id-prefix", "replaycmd-drill-2", "--checkpoint-interval", "1s",
                "--report", work.resolve("drill-2.json").toString(), "--from", from.toString(), "--to", to.toString()));
        Result drill = execute(args);
        double wallSeconds = (System.nanoTime() - started) / 1e9;
        assertEquals(0, drill.code, drill.output());
        assertTrue(wallSeconds >= spanSeconds / speed, "paced from --from at " + speed + "x: " + spanSeconds + " simulated s took only "
                + wallSeconds + " s");
    }

    @Test
    void aReplayByTimeShowsItsProgressAndTheRangeItResolved() throws Exception {
        Result replay = replay("time-1", "--from", sentFrom.toString(), "--to", sentTo.toString());
        assertEquals(0, replay.code, replay.output());
        assertTrue(replay.out.contains("resolved from --from " + sentFrom + " --to " + sentTo), replay.out);
        List<Matcher> lines = progressLines(replay.err);
        assertFalse(lines.isEmpty(), "a progress line on the command's error output: " + replay.err);
        JsonNode report = new ObjectMapper().readTree(work.resolve("time-1.json").toFile());
        Matcher last = lines.get(lines.size() - 1);
        assertEquals(String.format("%,d", report.path("recordsReplayed").asLong()), last.group(2));
        assertEquals(String.format("%,d", report.path("recordsExpected").asLong()), last.group(3));
        assertTrue(report.path("recordsReplayed").asLong() > turnoutRecords.size(), "both topics: " + report);
    }

    // ---- helpers

    record Result(int code, String out, String err) {
        String output() {
            return "exit " + code + "\nout:\n" + out + "\nerr:\n" + err;
        }
    }

    static List<String> common(String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--influx-url", influx.url(), "--election", ELECTION + "=" + reference,
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY, "--dlq-topic", DLQ, "--alerts-topic", ALERTS,
                "--max-clock-skew", "0", "--correction-horizon", "1h", "--parallelism", "2"));
        args.addAll(List.of(extra));
        return args;
    }

    static Result replay(String runId, String... input) {
        List<String> args = new ArrayList<>(List.of("replay"));
        args.addAll(common("--influx-database", liveDatabase, "--audit-database", auditDatabase, "--run-id", runId,
                "--replay-alerts-topic", REPLAY_ALERTS, "--transactional-id-prefix", "replaycmd-" + runId, "--checkpoint-interval", "1s",
                "--report", work.resolve(runId + ".json").toString()));
        args.addAll(List.of(input));
        return execute(args);
    }

    static Result execute(List<String> args) {
        String[] argv = args.toArray(new String[0]);
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(argv);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(argv);
        return new Result(code, out.toString(), err.toString());
    }

    static String run(int expectedCode, String... args) {
        Result r = execute(List.of(args));
        assertEquals(expectedCode, r.code, String.join(" ", args) + "\n" + r.output());
        return r.out;
    }

    /** Refused before anything runs: exit 2, the reason on the error output, no report written. */
    static void assertRefused(List<String> input, String reason) {
        String runId = "refused-" + Integer.toHexString(reason.hashCode());
        List<String> args = new ArrayList<>(List.of("replay"));
        List<String> safe = List.of("--audit-database", auditDatabase, "--replay-alerts-topic", REPLAY_ALERTS);
        for (int i = 0; i < safe.size(); i += 2) {
            if (!input.contains(safe.get(i))) args.addAll(safe.subList(i, i + 2)); // the case under test gives its own output
        }
        args.addAll(common("--influx-database", liveDatabase, "--run-id", runId, "--report", work.resolve(runId + ".json").toString()));
        args.addAll(input);
        Result r = execute(args);
        assertEquals(2, r.code, String.join(" ", input) + "\n" + r.output());
        assertTrue(r.err.contains(reason), "expected '" + reason + "' in:\n" + r.err);
        assertFalse(Files.exists(work.resolve(runId + ".json")), "nothing ran, no report");
    }

    static long endOffset(int partition) {
        return turnoutRecords.stream().filter(r -> r.partition() == partition).mapToLong(ConsumerRecord::offset).max().orElseThrow() + 1;
    }

    static long[] timestampSpan(int partition, long from, long to) {
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : turnoutRecords) {
            if (r.partition() != partition || r.offset() < from || r.offset() >= to) continue;
            min = Math.min(min, r.timestamp());
            max = Math.max(max, r.timestamp());
        }
        return new long[]{min, max};
    }

    static List<RawRecord> allRecords() {
        List<RawRecord> all = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : turnoutRecords) all.add(new RawRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
        all.sort(Comparator.comparingLong((RawRecord r) -> r.timestamp));
        return all;
    }

    /** "constituency@instant" -> "ballots/branches_reporting" of the independent recount of the records. */
    static Map<String, String> recountedConstituencyPoints(List<RawRecord> records) {
        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(List.of(ELECTION + "=" + reference)));
        ConfluentAvroDecoder<TurnoutReport> decoder = ConfluentAvroDecoder.forTurnoutReports(registry.config());
        IndependentRecount.Result recount = new IndependentRecount(catalog, decoder::decode, new ReportValidator(catalog, Duration.ZERO, 1_000_000),
                IndependentRecount.DEFAULT_GRID).addAll(records.iterator()).compute();
        Map<String, String> points = new TreeMap<>();
        for (IndependentRecount.ElectionSeries s : recount.elections().values()) {
            int nc = s.constituencies().size();
            for (int t = 0; t < s.instants(); t++) {
                for (int c = 0; c < nc; c++) {
                    points.put(s.constituencies().get(c).id() + "@" + Instant.ofEpochMilli(s.firstInstant() + t * s.gridMillis()),
                            s.ballots()[t * nc + c] + "/" + s.reporting()[t * nc + c]);
                }
            }
        }
        return points;
    }

    static List<Matcher> progressLines(String err) {
        List<Matcher> lines = new ArrayList<>();
        for (String line : err.split("[\r\n]+")) {
            Matcher m = PROGRESS_LINE.matcher(line.trim());
            if (m.find()) lines.add(m);
        }
        return lines;
    }
}
