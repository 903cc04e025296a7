package org.turnoutstream.audit;

import org.turnoutstream.config.JobOptions;
import org.turnoutstream.functions.PollingHours;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.workflows.BaselineSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The baselines of the audited elections, read for the {@link IndependentParticipation} from the same sources the job
 * reads, given by the same options ({@code --baseline ELECTION=SOURCE}, {@code --polls-open}, {@code --polls-close},
 * {@code --projection-after}; parsed by the job's {@link BaselineSource}): a published-hours CSV file (read here, line by
 * line: fields split at commas, so a quoted cell is not understood), or the baseline election's {@code constituency_turnout}
 * series over its polling day and an hour either side: the live one in {@code --influx-database}, or with
 * {@code ID@DATABASE[/RUN]} the one in that database (tagged with that run).
 */
public final class AuditBaselines {
    /** How far around the baseline election's polling day its series is read (the job reads as far). */
    static final Duration AROUND_THE_DAY = Duration.ofHours(1);

    private AuditBaselines() {}

    /** election -> the computation for it; empty without {@code --baseline}. Throws IllegalArgumentException or IOException with what is wrong. */
    public static Map<String, IndependentParticipation> load(JobOptions options, ElectionCatalog catalog, InfluxReader influx) throws IOException {
        Map<String, IndependentParticipation> baselines = new TreeMap<>();
        for (Map.Entry<String, String> entry : options.baselines.entrySet()) {
            String id = entry.getKey(), source = entry.getValue().strip();
            Election election = catalog.election(id).orElseThrow(() -> new IllegalArgumentException(
                    "--baseline " + id + "=...: no such election (--election gives " + catalog.electionIds() + ")"));
            Instant open = time(options.pollsOpen, "--polls-open", id), close = time(options.pollsClose, "--polls-close", id);
            Map<String, NavigableMap<Long, Double>> known;
            String what;
            BaselineSource parsed = BaselineSource.parse(source);
            if (parsed instanceof BaselineSource.Table table) {
                known = IndependentParticipation.fromTable(Files.readAllLines(table.file(), StandardCharsets.UTF_8), table.file().toString());
            } else {
                BaselineSource.Series series = (BaselineSource.Series) parsed;
                String base = series.election();
                Instant baseOpen = time(options.pollsOpen, "--polls-open", base), baseClose = time(options.pollsClose, "--polls-close", base);
                known = IndependentParticipation.fromSeries(series(influx, series.databaseOr(options.influxDatabase), base, series.run(),
                        baseOpen, baseClose), baseOpen, baseClose);
            }
            what = parsed.toString();
            baselines.put(id, IndependentParticipation.of(election, what, open, close, options.projectionAfter, known));
        }
        return baselines;
    }

    /**
     * The constituency series of {@code election} tagged {@code run} ("": the live one) (constituency -> instant ->
     * turnout_pct) around its polling day.
     */
    static Map<String, NavigableMap<Long, Double>> series(InfluxReader influx, String database, String election, String run, Instant open,
                                                          Instant close) throws IOException {
        long from = open.minus(AROUND_THE_DAY).toEpochMilli(), to = close.plus(AROUND_THE_DAY).toEpochMilli();
        Map<String, NavigableMap<Long, Double>> series = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database, "SELECT turnout_pct, constituency FROM " + AuditPoints.CONSTITUENCY
                 + " WHERE election = " + InfluxReader.literal(election) + " AND run = " + InfluxReader.literal(run) + " AND time >= " + from + "ms AND time <= " + to + "ms")) {
            if (row.get("constituency") instanceof String constituency && row.get("turnout_pct") instanceof Number pct) {
                series.computeIfAbsent(constituency, c -> new TreeMap<>()).put(((Number) row.get("time")).longValue(), pct.doubleValue());
            }
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("baseline election " + election + " has no " + AuditPoints.CONSTITUENCY + " points in database "
                    + database + " from " + Instant.ofEpochMilli(from) + " to " + Instant.ofEpochMilli(to));
        }
        return series;
    }

    private static Instant time(Map<String, String> times, String option, String election) {
        String value = times.get(election);
        if (value == null) throw new IllegalArgumentException("the audit of a baseline needs " + option + " " + election + "=TIME, as the job was given");
        return PollingHours.parseTime(option, election, value);
    }
}
