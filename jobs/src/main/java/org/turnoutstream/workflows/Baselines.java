package org.turnoutstream.workflows;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.functions.PollingHours;
import org.turnoutstream.functions.TurnoutPoints;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.participation.Baseline;
import org.turnoutstream.participation.SeriesCurves;
import org.turnoutstream.reference.BaselineCurve;
import org.turnoutstream.reference.BaselineTable;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.reference.ReferenceDataException;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The baselines of the elections compared with one ({@code --baseline ELECTION=SOURCE}), loaded and checked when the job
 * is defined, so a mistake stops it before it starts: from a published table (a CSV file, {@link BaselineTable}) or from
 * another election counted by this system, whose live {@code constituency_turnout} series (no {@code run} tag: not a
 * replay's) is read from InfluxDB ({@link SeriesCurves}). The curves then travel in the job graph: the job compares with the same baseline for its whole
 * life, and a replay or audit defined later reads the same (the baseline election's day is over).
 *
 * <p>A series with missing hours is refused: its first point more than {@link #LONGEST_GAP} after the polls opened, its
 * last more than that before they closed, or two points further apart (the job writes one per grid interval from the
 * first report to the last, so a gap is a stretch it did not count).
 */
public final class Baselines {
    private static final Logger LOG = LoggerFactory.getLogger(Baselines.class);
    static final Duration LONGEST_GAP = Duration.ofHours(1);

    private Baselines() {}

    /** The participation settings the options give; throws IllegalArgumentException or ReferenceDataException with what is wrong. */
    public static ParticipationSettings of(JobOptions options, ElectionCatalog catalog) {
        if (options.baselines.isEmpty()) {
            return new ParticipationSettings(Map.of(), options.laggingPoints, options.laggingFor, options.pollsCloseGrace);
        }
        if (!(options.projectionAfter >= 0 && options.projectionAfter <= 1)) {
            throw new IllegalArgumentException("--projection-after " + options.projectionAfter + ": a share of the polling day, between 0 and 1");
        }
        Map<String, Baseline> baselines = new TreeMap<>();
        InfluxReader influx = new InfluxReader(options.influxUrl, options.influxUser, options.influxPassword());
        for (Map.Entry<String, String> entry : options.baselines.entrySet()) {
            String id = entry.getKey();
            String source = entry.getValue().strip();
            Election election = catalog.election(id).orElseThrow(() -> new IllegalArgumentException(
                    "--baseline " + id + "=...: no such election (--election gives " + catalog.electionIds() + ")"));
            Instant open = required(options.pollsOpen, "--polls-open", id, "--baseline " + id);
            Instant close = required(options.pollsClose, "--polls-close", id, "--baseline " + id);
            Baseline baseline;
            BaselineSource parsed = BaselineSource.parse(source);
            if (parsed instanceof BaselineSource.Table table) {
                baseline = Baseline.of(election, table.toString(), open, close, options.projectionAfter, BaselineTable.load(table.file(), election));
            } else {
                BaselineSource.Series series = (BaselineSource.Series) parsed;
                String base = series.election();
                if (base.equals(id) && series.database() == null) {
                    throw new IllegalArgumentException("--baseline " + id + "=" + source + ": an election cannot be its own baseline");
                }
                String what = "--baseline " + id + "=" + source;
                Instant baseOpen = required(options.pollsOpen, "--polls-open", base, what);
                Instant baseClose = required(options.pollsClose, "--polls-close", base, what);
                Map<String, BaselineCurve> curves = fromSeries(influx, series.databaseOr(options.influxDatabase), base, series.run(), baseOpen, baseClose);
                Set<String> beyond = new TreeSet<>(curves.keySet());
                election.constituencies().forEach(c -> beyond.remove(c.id()));
                if (!beyond.isEmpty()) {
                    // a run-off is often held in fewer constituencies than its first round: their curves are not needed
                    LOG.info("election {}: {} also counted {}, which {} does not have: not compared", id, series, beyond, id);
                    curves.keySet().removeAll(beyond);
                }
                baseline = Baseline.of(election, series.toString(), open, close, options.projectionAfter, curves);
            }
            LOG.info("election {} is compared with {} (polls {} to {}; projection after {} of the day; lagging: more than {} points behind for {})",
                    id, baseline.source(), open, close, options.projectionAfter, options.laggingPoints, options.laggingFor);
            baselines.put(id, baseline);
        }
        return new ParticipationSettings(baselines, options.laggingPoints, options.laggingFor, options.pollsCloseGrace);
    }

    /** The elections named as a baseline source (not tables): their polling hours may be given without --election. */
    public static Set<String> sourceElections(JobOptions options) {
        Set<String> sources = new TreeSet<>();
        for (String source : options.baselines.values()) {
            if (BaselineSource.parse(source) instanceof BaselineSource.Series series) sources.add(series.election());
        }
        return sources;
    }

    static Instant required(Map<String, String> times, String option, String election, String neededBy) {
        String value = times.get(election);
        if (value == null) {
            throw new IllegalArgumentException(neededBy + " needs " + option + " " + election + "=TIME (e.g. 2024-03-08T08:00:00+03:30)");
        }
        return PollingHours.parseTime(option, election, value);
    }

    /**
     * The curves of {@code election}'s constituency series in InfluxDB over its polling day [open, close]: the points tagged
     * {@code run} ("" : the live series, untagged).
     */
    static Map<String, BaselineCurve> fromSeries(InfluxReader influx, String database, String election, String run, Instant open, Instant close) {
        long from = open.toEpochMilli() - LONGEST_GAP.toMillis(), to = close.toEpochMilli() + LONGEST_GAP.toMillis();
        String query = "SELECT \"turnout_pct\" FROM " + InfluxReader.identifier(TurnoutPoints.CONSTITUENCY) + " WHERE \"election\" = "
                + InfluxReader.literal(election) + " AND \"run\" = " + InfluxReader.literal(run) + " AND time >= " + from + "ms AND time <= "
                + to + "ms GROUP BY \"constituency\"";
        Map<String, NavigableMap<Long, Double>> series = new TreeMap<>();
        try {
            for (Map<String, Object> row : influx.query(database, query)) {
                if (row.get("constituency") instanceof String constituency && row.get("time") instanceof Number time
                        && row.get("turnout_pct") instanceof Number pct) {
                    series.computeIfAbsent(constituency, c -> new TreeMap<>()).put(time.longValue(), pct.doubleValue());
                }
            }
        } catch (IOException e) {
            throw new ReferenceDataException("cannot read the series of baseline election " + election + " (database " + database + "): "
                    + e.getMessage(), e);
        }
        if (series.isEmpty()) {
            throw new ReferenceDataException("baseline election " + election + " has no " + TurnoutPoints.CONSTITUENCY + " points in InfluxDB "
                    + influx.url() + " (database " + database + (run.isEmpty() ? "" : ", run " + run) + ") around its polling day " + open + " to " + close
                    + ": count it (or replay its archive) into this database first, or give a published table");
        }
        series.forEach((constituency, points) -> checkHours(election, constituency, points, open.toEpochMilli(), close.toEpochMilli()));
        return SeriesCurves.of(series, open, close);
    }

    private static void checkHours(String election, String constituency, NavigableMap<Long, Double> points, long open, long close) {
        long gap = LONGEST_GAP.toMillis();
        long previous = open;
        for (long at : points.subMap(open, true, close, true).keySet()) {
            if (at - previous > gap) throw missing(election, constituency, previous, at);
            previous = at;
        }
        if (close - previous > gap) throw missing(election, constituency, previous, close);
    }

    private static ReferenceDataException missing(String election, String constituency, long from, long to) {
        return new ReferenceDataException("baseline election " + election + ": missing hours: its series of " + constituency + " has no point from "
                + Instant.ofEpochMilli(from) + " to " + Instant.ofEpochMilli(to) + " (more than " + LONGEST_GAP.toMinutes()
                + " min; count or replay that stretch first)");
    }
}
