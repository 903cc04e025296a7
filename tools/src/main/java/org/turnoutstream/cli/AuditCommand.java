package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.turnoutstream.audit.AuditBaselines;
import org.turnoutstream.audit.IndependentParticipation;
import org.turnoutstream.audit.IndependentRecount;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.audit.ReplayInput;
import org.turnoutstream.audit.TurnoutAudit;
import org.turnoutstream.audit.TurnoutAudit.Counts;
import org.turnoutstream.audit.TurnoutAudit.Key;
import org.turnoutstream.audit.TurnoutAudit.Participation;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.KafkaCredentials;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** `turnout audit`: live series vs a replay vs the independent recount, per election, constituency and grid instant. */
@Command(name = "audit", mixinStandardHelpOptions = true, modelTransformer = JobOptionsMixin.class, sortOptions = false,
        description = {"Compares constituency_turnout, province_turnout and national_turnout (ballots, branches_reporting) per election,",
                "area and instant: the live series (--influx-database), the replay",
                "of --replay-report (its database, tag run=ID) and an independent recount of the same raw records (the report's offsets or",
                "archive files, re-checked by SHA-256). For an election with a --baseline (give the job's --baseline, --polls-open, --polls-close",
                "and --projection-after) also baseline_pct, vs_baseline_pts and projected_pct, against the audit's own computation from the",
                "recount and the baseline. Writes audit.json and audit.html to --out, prints a SHA-256 digest of the final totals.",
                "Exit codes: 0 no unexplained difference, 1 unexplained differences, 2 bad input or a service cannot be reached."})
public class AuditCommand implements Callable<Integer> {
    /** The job's options, added to this command's by {@link JobOptionsMixin}. */
    final JobOptions options = new JobOptions();
    @Spec CommandSpec spec;

    @Option(names = "--replay-report", required = true, paramLabel = "FILE", description = "The report `turnout replay` wrote.")
    Path replayReport;

    @Option(names = "--out", paramLabel = "DIR", description = "Where audit.json and audit.html go (default: audit-<run id>).")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (options.elections.isEmpty()) throw new IllegalArgumentException("no election given: pass --election ID=DIR");
            JsonNode report = new ObjectMapper().readTree(replayReport.toFile());
            if (!"turnout-replay-report/1".equals(report.path("format").asText())) throw new IOException(replayReport + " is not a replay report");
            if (!"SUCCEEDED".equals(report.path("status").asText())) throw new IOException("replay " + report.path("runId").asText() + " did not succeed");
            String run = report.path("runId").asText();
            String replayDatabase = report.path("outputs").path("database").asText();
            ReplayInput input = ReplayInput.fromJson(report.path("input"));
            if (!input.isArchive()) KafkaCredentials.check(options); // refused: one line, before the recount reads the range
            ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections));
            RegistryConfig registry = RegistryConfig.of(options.registryUrl).withCredentials(options.registryUser, options.registryPassword());
            ConfluentAvroDecoder<TurnoutReport> decoder = ConfluentAvroDecoder.forTurnoutReports(registry);
            ReportValidator validator = new ReportValidator(catalog, options.maxClockSkew, options.maxBranchBallots);

            IndependentRecount.Result recount = new IndependentRecount(catalog, decoder::decode, validator, options.gridInterval)
                    .addAll(input.read(options.turnoutTopic, options)).compute();
            InfluxReader influx = new InfluxReader(options.influxUrl, options.influxUser, options.influxPassword());
            Map<String, IndependentParticipation> baselines = AuditBaselines.load(options, catalog, influx);
            Map<Key, Counts> live = new TreeMap<>(), replay = new TreeMap<>();
            Map<Key, Participation> liveParticipation = new TreeMap<>(), replayParticipation = new TreeMap<>();
            List<Map<String, Object>> alerts = new ArrayList<>();
            for (IndependentRecount.ElectionSeries series : recount.elections().values()) {
                String where = "election = " + InfluxReader.literal(series.election()) + " AND time >= " + series.firstInstant() + "ms AND time <= "
                        + series.lastInstant() + "ms";
                boolean withBaseline = baselines.containsKey(series.election());
                read(influx, options.influxDatabase, where + " AND run = ''", series.election(), live, withBaseline ? liveParticipation : null);
                read(influx, replayDatabase, where + " AND run = " + InfluxReader.literal(run), series.election(), replay,
                        withBaseline ? replayParticipation : null);
                String alertsWhere = "election = " + InfluxReader.literal(series.election());
                for (Map<String, Object> row : influx.query(options.influxDatabase, "SELECT * FROM alerts WHERE " + alertsWhere + " AND run = ''")) {
                    row.put("source", "live");
                    alerts.add(row);
                }
                for (Map<String, Object> row : influx.query(replayDatabase, "SELECT * FROM alerts WHERE " + alertsWhere + " AND run = " + InfluxReader.literal(run))) {
                    row.put("source", "replay");
                    alerts.add(row);
                }
            }
            alerts.sort((a, b) -> Long.compare(((Number) a.get("time")).longValue(), ((Number) b.get("time")).longValue()));
            TurnoutAudit.Result result = TurnoutAudit.compare(recount, live, replay,
                    new TurnoutAudit.ParticipationInput(baselines, liveParticipation, replayParticipation), () -> input.read(options.turnoutTopic, options),
                    decoder::decode, validator, options.correctionHorizon);

            Path dir = out != null ? out : Paths.get("audit-" + run);
            Files.createDirectories(dir);
            ObjectNode json = json(result, report, run, replayDatabase, alerts, baselines);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("audit.json").toFile(), json);
            Files.writeString(dir.resolve("audit.html"), AuditHtml.render(json), StandardCharsets.UTF_8);

            long unexplained = result.unexplained();
            stdout.printf("audit of replay %s: %d points compared (live, replay, recount), %d difference(s), %d unexplained%n",
                    run, result.pointsCompared(), result.allDifferences(), unexplained);
            for (Map.Entry<String, Integer> p : result.participationCompared().entrySet()) {
                List<TurnoutAudit.ParticipationDifference> of = result.participationDifferences().stream()
                        .filter(d -> d.key().election().equals(p.getKey())).toList();
                stdout.printf("  participation of %s (baseline: %s): %d points compared (baseline_pct, vs_baseline_pts, projected_pct), "
                                + "%d difference(s), %d unexplained%n", p.getKey(), baselines.get(p.getKey()).source(), p.getValue(), of.size(),
                        of.stream().filter(d -> !d.explained()).count());
            }
            for (String explanation : result.explanations().stream().limit(10).toList()) stdout.println("  " + explanation);
            stdout.println("final totals SHA-256 (recount): " + recount.digest());
            stdout.println("final totals SHA-256 (live):    " + IndependentRecount.Result.digestOf(result.liveFinal()));
            stdout.println("final totals SHA-256 (replay):  " + IndependentRecount.Result.digestOf(result.replayFinal()));
            stdout.println("report: " + dir.resolve("audit.html") + " and " + dir.resolve("audit.json"));
            stdout.println(unexplained == 0 ? "AUDIT PASSED: live == replay == recount (or every difference explained)" : "AUDIT FAILED: unexplained differences");
            return unexplained == 0 ? 0 : 1;
        } catch (Exception e) {
            err.println("audit: " + e.getMessage());
            return 2;
        }
    }

    /**
     * The constituency, province and national points of one election in the time range of {@code where}; with
     * {@code participation} (an election with a baseline) also their baseline_pct, vs_baseline_pts and projected_pct.
     */
    private static void read(InfluxReader influx, String database, String where, String election, Map<Key, Counts> into,
                             Map<Key, Participation> participation) throws IOException {
        for (TurnoutAudit.Level level : TurnoutAudit.Level.values()) {
            String area = switch (level) {
                case CONSTITUENCY -> "constituency";
                case PROVINCE -> "province";
                case NATIONAL -> null;
            };
            String fields = "ballots, branches_reporting" + (participation == null ? "" : ", " + String.join(", ", Participation.FIELDS));
            for (Map<String, Object> row : influx.query(database, "SELECT " + fields + (area == null ? "" : ", " + area)
                    + " FROM " + level.measurement + " WHERE " + where)) {
                Key key = new Key(election, level, area == null ? "" : (String) row.get(area), ((Number) row.get("time")).longValue());
                into.put(key, new Counts(((Number) row.get("ballots")).longValue(), ((Number) row.get("branches_reporting")).longValue()));
                if (participation != null) {
                    participation.put(key, new Participation(number(row, "baseline_pct"), number(row, "vs_baseline_pts"), number(row, "projected_pct")));
                }
            }
        }
    }

    private static Double number(Map<String, Object> row, String field) {
        return row.get(field) instanceof Number n ? n.doubleValue() : null;
    }

    private ObjectNode json(TurnoutAudit.Result result, JsonNode report, String run, String replayDatabase, List<Map<String, Object>> alerts,
                            Map<String, IndependentParticipation> baselines) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", "turnout-audit/1");
        root.put("generatedAt", Instant.now().toString());
        root.put("runId", run);
        root.put("passed", result.unexplained() == 0);
        root.put("pointsCompared", result.pointsCompared());
        ArrayNode compared = root.putArray("measurementsCompared");
        for (TurnoutAudit.Level level : TurnoutAudit.Level.values()) compared.add(level.measurement);
        if (!result.participationCompared().isEmpty()) {
            ArrayNode participation = root.putArray("participation");
            result.participationCompared().forEach((election, points) -> {
                List<TurnoutAudit.ParticipationDifference> of = result.participationDifferences().stream()
                        .filter(d -> d.key().election().equals(election)).toList();
                ArrayNode fields = participation.addObject().put("election", election).put("baseline", baselines.get(election).source())
                        .put("pointsCompared", points).put("differences", of.size()).put("unexplained", of.stream().filter(d -> !d.explained()).count())
                        .putArray("fields");
                Participation.FIELDS.forEach(fields::add);
            });
        }
        root.put("differences", result.allDifferences());
        root.put("unexplained", result.unexplained());
        ObjectNode inputs = root.putObject("inputs");
        inputs.set("records", report.path("input"));
        inputs.put("liveDatabase", options.influxDatabase).put("replayDatabase", replayDatabase).put("replayTag", "run=" + run)
                .put("influxUrl", options.influxUrl).put("turnoutTopic", options.turnoutTopic);
        inputs.set("replaySettings", report.path("settings"));
        ObjectNode digests = root.putObject("finalTotalsSha256");
        digests.put("recount", result.recount().digest());
        digests.put("live", IndependentRecount.Result.digestOf(result.liveFinal()));
        digests.put("replay", IndependentRecount.Result.digestOf(result.replayFinal()));
        root.put("recordsRecounted", result.recount().received());
        ObjectNode rejected = root.putObject("recordsRejected");
        result.recount().rejected().forEach((reason, n) -> rejected.put(reason.name(), n));
        ArrayNode totals = root.putArray("totals");
        Map<String, Map<String, long[]>> recountFinal = result.recount().finalTotals();
        recountFinal.forEach((election, constituencies) -> constituencies.forEach((id, v) -> {
            long[] l = result.liveFinal().getOrDefault(election, Map.of()).get(id);
            long[] r = result.replayFinal().getOrDefault(election, Map.of()).get(id);
            ObjectNode row = totals.addObject().put("election", election).put("constituency", id)
                    .put("recountBallots", v[0]).put("recountBranches", v[1]);
            if (l != null) row.put("liveBallots", l[0]).put("liveBranches", l[1]); else row.putNull("liveBallots");
            if (r != null) row.put("replayBallots", r[0]).put("replayBranches", r[1]); else row.putNull("replayBallots");
        }));
        ArrayNode diffs = root.putArray("differenceList");
        for (TurnoutAudit.Difference d : result.differences()) {
            ObjectNode n = diffs.addObject().put("election", d.key().election()).put("measurement", d.key().level().measurement);
            if (d.key().level() == TurnoutAudit.Level.CONSTITUENCY) n.put("constituency", d.key().area());
            if (d.key().level() == TurnoutAudit.Level.PROVINCE) n.put("province", d.key().area());
            n.put("area", d.key().label()).put("time", Instant.ofEpochMilli(d.key().time()).toString()).put("explained", d.explained()).put("explanation", d.explanation());
            counts(n, "live", d.live());
            counts(n, "replay", d.replay());
            counts(n, "recount", d.recount());
            ArrayNode events = n.putArray("events");
            for (TurnoutAudit.Evidence e : d.events()) {
                events.addObject().put("branch", e.branch()).put("sequence", e.sequence()).put("ballots", e.ballots())
                        .put("eventTime", e.eventTime().toString()).put("receivedAt", e.receivedAt().toString()).put("record", e.coordinates())
                        .put("firstCountsAtThisInstant", e.firstCountsAtThisInstant()).put("arrivedAfterHorizon", e.arrivedAfterHorizon());
            }
        }
        for (TurnoutAudit.ParticipationDifference d : result.participationDifferences()) {
            ObjectNode n = diffs.addObject().put("kind", "participation").put("election", d.key().election()).put("measurement", d.key().level().measurement);
            if (d.key().level() == TurnoutAudit.Level.CONSTITUENCY) n.put("constituency", d.key().area());
            if (d.key().level() == TurnoutAudit.Level.PROVINCE) n.put("province", d.key().area());
            n.put("area", d.key().label()).put("time", Instant.ofEpochMilli(d.key().time()).toString()).put("explained", d.explained())
                    .put("explanation", d.explanation()).put("baseline", d.baseline());
            participation(n, "live", d.live());
            participation(n, "replay", d.replay());
            participation(n, "recount", d.recount());
            n.putArray("events");
        }
        ArrayNode timeline = root.putArray("alertTimeline");
        Map<String, Integer> sides = new TreeMap<>();
        for (Map<String, Object> a : alerts) sides.merge(String.valueOf(a.get("alert_id")), "live".equals(a.get("source")) ? 1 : 2, (x, y) -> x | y);
        for (Map<String, Object> a : alerts) {
            int side = sides.get(String.valueOf(a.get("alert_id")));
            timeline.addObject().put("time", Instant.ofEpochMilli(((Number) a.get("time")).longValue()).toString())
                    .put("source", (String) a.get("source")).put("kind", String.valueOf(a.get("kind"))).put("subject", String.valueOf(a.get("subject")))
                    .put("reason", String.valueOf(a.get("reason"))).put("alertId", String.valueOf(a.get("alert_id")))
                    .put("inBoth", side == 3);
        }
        return root;
    }

    private static void participation(ObjectNode node, String name, Participation p) {
        if (p == null) {
            node.putNull(name);
            return;
        }
        ObjectNode fields = node.putObject(name);
        for (String f : Participation.FIELDS) {
            if (p.field(f) == null) fields.putNull(f); else fields.put(f, p.field(f));
        }
    }

    private static void counts(ObjectNode node, String name, Counts c) {
        if (c == null) node.putNull(name);
        else node.putObject(name).put("ballots", c.ballots()).put("branchesReporting", c.reporting());
    }
}
