package org.turnoutstream.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.simulator.ParticipationTruth;

/**
 * The demo's check of the run-off against round 1: at every hour of the run-off's day (and its close) that InfluxDB has
 * a point for, each constituency's and the nation's baseline_pct, vs_baseline_pts and projected_pct as the job wrote them,
 * against the simulator's reference model ({@link ParticipationTruth}) computed from the two rounds' ground truths.
 */
final class DemoParticipation {
    /** Doubles written as JSON by InfluxDB and summed in another order than the model's: equal within this. */
    static final double TOLERANCE = 1e-6;

    /** How many figures were compared, at how many instants, and the ones that differ (empty: all match). */
    record Result(int figures, int instants, List<String> differences) {
        boolean matches() {
            return figures > 0 && differences.isEmpty();
        }

        String line() {
            return matches()
                    ? String.format(Locale.ROOT, "participation vs round 1 matches ground truth: YES (%d figures at %d hours)", figures, instants)
                    : String.format(Locale.ROOT, "participation vs round 1 matches ground truth: NO (%d of %d figures differ%s)",
                    differences.size(), figures, differences.isEmpty() ? "" : "; first: " + differences.get(0));
        }
    }

    private DemoParticipation() {}

    static Result check(InfluxReader influx, String database, String election, GroundTruth firstRound, GroundTruth runOff) {
        int figures = 0, instants = 0;
        List<String> differences = new ArrayList<>();
        for (ParticipationTruth.Moment moment : ParticipationTruth.of(firstRound, runOff)) {
            long at = moment.at().toEpochMilli();
            Map<String, Map<String, Object>> points;
            try {
                points = points(influx, database, election, at);
            } catch (IOException e) {
                differences.add("InfluxDB did not answer: " + e.getMessage());
                break;
            }
            if (!points.containsKey("")) continue; // no national point there (the series ended before the close)
            instants++;
            for (Map.Entry<String, ParticipationTruth.Figures> c : moment.constituencies().entrySet()) {
                figures += compare(moment, c.getKey(), points.get(c.getKey()), c.getValue(), differences);
            }
            figures += compare(moment, "national", points.get(""), moment.national(), differences);
        }
        return new Result(figures, instants, differences);
    }

    /** The points at {@code at}: by constituency id, the national one under "". */
    private static Map<String, Map<String, Object>> points(InfluxReader influx, String database, String election, long at) throws IOException {
        String fields = "SELECT baseline_pct, vs_baseline_pts, projected_pct FROM ";
        String where = " WHERE election = " + InfluxReader.literal(election) + " AND time = " + at + "ms";
        Map<String, Map<String, Object>> points = new java.util.HashMap<>();
        for (Map<String, Object> row : influx.query(database, fields + "constituency_turnout" + where + " GROUP BY constituency")) {
            points.put((String) row.get("constituency"), row);
        }
        List<Map<String, Object>> national = influx.query(database, fields + "national_turnout" + where);
        if (!national.isEmpty()) points.put("", national.get(0));
        return points;
    }

    private static int compare(ParticipationTruth.Moment moment, String area, Map<String, Object> point, ParticipationTruth.Figures want,
                               List<String> differences) {
        String where = area + " at " + moment.at();
        if (point == null) {
            differences.add(where + ": no point");
            return 3;
        }
        same(where, "baseline_pct", point.get("baseline_pct"), OptionalDouble.of(want.baselinePct()), differences);
        same(where, "vs_baseline_pts", point.get("vs_baseline_pts"), OptionalDouble.of(want.vsBaselinePts()), differences);
        same(where, "projected_pct", point.get("projected_pct"), want.projectedPct(), differences);
        return 3;
    }

    private static void same(String where, String field, Object got, OptionalDouble want, List<String> differences) {
        boolean equal = want.isEmpty() ? got == null
                : got instanceof Number n && Math.abs(n.doubleValue() - want.getAsDouble()) <= TOLERANCE;
        if (!equal) {
            differences.add(String.format(Locale.ROOT, "%s: %s %s in InfluxDB, %s in the ground truth", where, field, got,
                    want.isEmpty() ? "none" : want.getAsDouble()));
        }
    }
}
