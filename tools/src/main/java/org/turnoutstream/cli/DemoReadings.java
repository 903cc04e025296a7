package org.turnoutstream.cli;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.turnoutstream.influx.InfluxReader;

/** What the live job has written to InfluxDB for the demo's election, as the table and the check read it. */
final class DemoReadings {

    /**
     * The latest turnout point of a constituency or of the nation; {@code vsBaseline} (percentage points against the first
     * round at the same time of its day) and {@code projected} (projected final turnout, percent) null where the point has
     * none.
     */
    record Row(long ballots, long eligible, double turnoutPct, long reporting, long total, Double vsBaseline, Double projected) {
        Row(long ballots, long eligible, double turnoutPct, long reporting, long total) {
            this(ballots, eligible, turnoutPct, reporting, total, null, null);
        }
    }

    /**
     * InfluxDB at one moment: {@code national} null when it has no national point yet; {@code nationalTime} the national
     * point's time (0: none); {@code down} the job's branches_down per constituency (its latest constituency_connectivity
     * point).
     */
    record Snapshot(Row national, Map<String, Row> constituencies, long nationalTime, Map<String, Long> down) {}

    /** The comparison with the first round (the run-off's baseline), when the points have it. */
    private static final String COMPARISON = "last(vs_baseline_pts) AS vs, last(projected_pct) AS projected";

    private final InfluxReader influx;
    private final String database;
    private final String election;

    DemoReadings(InfluxReader influx, String database, String election) {
        this.influx = influx;
        this.database = database;
        this.election = election;
    }

    Snapshot snapshot() {
        Map<String, Row> rows = new HashMap<>();
        Map<String, Long> down = new HashMap<>();
        Row national = null;
        long nationalTime = 0;
        try {
            for (InfluxReader.Series series : influx.series(database, "SELECT last(ballots) AS ballots, last(eligible) AS eligible, "
                    + "last(turnout_pct) AS pct, last(branches_reporting) AS reporting, last(branches_total) AS total, " + COMPARISON + " FROM constituency_turnout "
                    + "WHERE election='" + election + "' GROUP BY constituency")) {
                rows.put(series.tags().get("constituency"), row(series));
            }
            List<InfluxReader.Series> n = influx.series(database, "SELECT last(ballots) AS ballots, last(eligible) AS eligible, "
                    + "last(turnout_pct) AS pct, last(branches_reporting) AS reporting, last(branches_total) AS total, " + COMPARISON + " FROM national_turnout "
                    + "WHERE election='" + election + "'");
            if (!n.isEmpty()) national = row(n.get(0));
            List<Map<String, Object>> t = influx.query(database, "SELECT last(ballots) FROM national_turnout WHERE election='" + election + "'");
            if (!t.isEmpty()) nationalTime = asLong(t.get(0).get("time"));
            for (InfluxReader.Series ds : influx.series(database,
                    "SELECT last(branches_down) FROM constituency_connectivity WHERE election='" + election + "' GROUP BY constituency")) {
                down.put(ds.tags().get("constituency"), ds.rows().isEmpty() ? 0 : asLong(ds.rows().get(0).get("last")));
            }
        } catch (IOException e) {
            // influxd busy or the measurement not there yet: show what we have
        }
        return new Snapshot(national, rows, nationalTime, down);
    }

    /** OUTAGE_STARTED alerts the job wrote to InfluxDB's alerts measurement; -1 when it cannot be read. */
    long detectedOutages() {
        try {
            List<Map<String, Object>> count = influx.query(database,
                    "SELECT count(active) FROM alerts WHERE election='" + election + "' AND kind='OUTAGE_STARTED'");
            return count.isEmpty() ? 0 : asLong(count.get(0).get("count"));
        } catch (IOException e) {
            return -1;
        }
    }

    /** The series' first row (a last() selection has one); a column it lacks reads as 0. */
    private static Row row(InfluxReader.Series series) {
        Map<String, Object> first = series.rows().isEmpty() ? Map.of() : series.rows().get(0);
        return new Row(asLong(first.get("ballots")), asLong(first.get("eligible")), asDouble(first.get("pct")),
                asLong(first.get("reporting")), asLong(first.get("total")), orNull(first.get("vs")), orNull(first.get("projected")));
    }

    private static long asLong(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    private static Double orNull(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }

    private static double asDouble(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }
}
