package org.turnoutstream.audit;

import org.turnoutstream.audit.TurnoutAudit.Key;
import org.turnoutstream.audit.TurnoutAudit.Participation;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;

import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The audit's own computation of the participation fields (issue 14) of an election compared with a baseline, from the
 * documented formulas alone: it is the check of the job's {@code Baseline}, {@code BaselineCurve}, {@code BaselineTable}
 * and {@code SeriesCurves}, so it shares no code with them (an architecture rule keeps it so).
 *
 * <p>A constituency's baseline is known at some times since its own polls opened: the opening, the published hours or
 * the series' points while the polls were open, and the close (its final turnout). At an instant T of the audited
 * election, e = T - its polls opening:
 * <ul>
 *   <li>baseline_pct: the known value at e, on the straight line between the known times around it; 0 before the
 *       opening, the final turnout from the baseline's close on. A province or the nation: its constituencies' values
 *       weighted by the audited election's eligible voters;</li>
 *   <li>vs_baseline_pts = today - baseline_pct, today being ballots x 100 / eligible voters (0 with nobody eligible);</li>
 *   <li>projected_pct = today x baseline's final / baseline_pct, only when e is at least {@code projectionAfter} of the
 *       audited election's polling day and baseline_pct is above 0; absent otherwise.</li>
 * </ul>
 */
public final class IndependentParticipation {
    private static final long DAY_MILLIS = 24 * 3600_000L;

    private final String election;
    private final String source;
    private final long pollsOpen;
    private final double projectionStartsAfter; // millis since the opening
    private final Map<String, NavigableMap<Long, Double>> known;
    private final Map<String, Constituency> constituencies = new HashMap<>();
    private final Map<String, List<Constituency>> provinces = new HashMap<>();
    private final List<Constituency> nation;

    private IndependentParticipation(Election election, String source, Instant pollsOpen, Instant pollsClose, double projectionAfter,
                                     Map<String, NavigableMap<Long, Double>> known) {
        this.election = election.id();
        this.source = source;
        this.pollsOpen = pollsOpen.toEpochMilli();
        this.projectionStartsAfter = projectionAfter * (pollsClose.toEpochMilli() - pollsOpen.toEpochMilli());
        this.known = known;
        this.nation = List.copyOf(election.constituencies());
        for (Constituency c : nation) {
            constituencies.put(c.id(), c);
            provinces.computeIfAbsent(c.province(), p -> new ArrayList<>()).add(c);
        }
    }

    /**
     * The computation for {@code election}, whose polls open and close at these instants, against a baseline known per
     * constituency as (millis since the baseline's own opening -> turnout percent), the opening and the close included
     * ({@link #fromTable}, {@link #fromSeries}); {@code source} says what the baseline is, for the report.
     */
    public static IndependentParticipation of(Election election, String source, Instant pollsOpen, Instant pollsClose, double projectionAfter,
                                              Map<String, NavigableMap<Long, Double>> known) {
        if (!pollsClose.isAfter(pollsOpen)) throw new IllegalArgumentException("election " + election.id() + ": polls close before they open");
        TreeSet<String> missing = new TreeSet<>();
        for (Constituency c : election.constituencies()) {
            NavigableMap<Long, Double> k = known.get(c.id());
            if (k == null || k.size() < 2) missing.add(c.id());
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("baseline of election " + election.id() + " (" + source + ") has nothing for " + String.join(", ", missing));
        }
        Map<String, NavigableMap<Long, Double>> copy = new HashMap<>();
        known.forEach((id, k) -> copy.put(id, new TreeMap<>(k)));
        return new IndependentParticipation(election, source, pollsOpen, pollsClose, projectionAfter, copy);
    }

    public String election() { return election; }

    /** What the baseline is ("election r1", "table FILE"). */
    public String source() { return source; }

    /** The fields of a point of this election with {@code ballots} (its level and area from the key). */
    public Participation at(Key key, long ballots) {
        return switch (key.level()) {
            case CONSTITUENCY -> constituency(key.area(), key.time(), ballots);
            case PROVINCE -> province(key.area(), key.time(), ballots);
            case NATIONAL -> national(key.time(), ballots);
        };
    }

    public Participation constituency(String constituency, long instant, long ballots) {
        Constituency c = constituencies.get(constituency);
        if (c == null) throw new IllegalArgumentException("election " + election + " has no constituency " + constituency);
        NavigableMap<Long, Double> k = known.get(constituency);
        return fields(instant, today(ballots, c.eligibleVoters()), valueAt(k, instant - pollsOpen), k.lastEntry().getValue());
    }

    public Participation province(String province, long instant, long ballots) {
        List<Constituency> members = provinces.get(province);
        if (members == null) throw new IllegalArgumentException("election " + election + " has no province " + province);
        return area(members, instant, ballots);
    }

    public Participation national(long instant, long ballots) {
        return area(nation, instant, ballots);
    }

    private Participation area(List<Constituency> members, long instant, long ballots) {
        long eligible = 0;
        for (Constituency c : members) eligible += c.eligibleVoters();
        double now = 0, last = 0;
        for (Constituency c : members) {
            NavigableMap<Long, Double> k = known.get(c.id());
            double weight = eligible > 0 ? c.eligibleVoters() : 1; // nobody eligible anywhere: every constituency alike
            now += weight * valueAt(k, instant - pollsOpen);
            last += weight * k.lastEntry().getValue();
        }
        double weights = eligible > 0 ? eligible : members.size();
        return fields(instant, today(ballots, eligible), now / weights, last / weights);
    }

    private Participation fields(long instant, double today, double baseline, double baselineFinal) {
        boolean projected = instant - pollsOpen >= projectionStartsAfter && baseline > 0;
        return new Participation(baseline, today - baseline, projected ? today * baselineFinal / baseline : null);
    }

    private static double today(long ballots, long eligible) {
        return eligible > 0 ? 100.0 * ballots / eligible : 0.0;
    }

    /** The known value at {@code elapsed}: on the line between the known times around it, 0 before the first, the last after the last. */
    static double valueAt(NavigableMap<Long, Double> known, long elapsed) {
        Map.Entry<Long, Double> before = known.floorEntry(elapsed), after = known.ceilingEntry(elapsed);
        if (before == null) return 0.0;
        if (after == null) return before.getValue();
        if (before.getKey().equals(after.getKey())) return before.getValue();
        double share = (double) (elapsed - before.getKey()) / (after.getKey() - before.getKey());
        return before.getValue() + share * (after.getValue() - before.getValue());
    }

    /**
     * The known values of a baseline election counted by this system, from its {@code constituency_turnout} series
     * (constituency -> instant -> turnout percent) and its polling hours: its value at the opening, at each of its points
     * while the polls were open, and at the close, a value between two points on the line between them, 0 before the
     * first point, the last point's after it.
     */
    public static Map<String, NavigableMap<Long, Double>> fromSeries(Map<String, ? extends NavigableMap<Long, Double>> series,
                                                                     Instant baselineOpen, Instant baselineClose) {
        long open = baselineOpen.toEpochMilli(), close = baselineClose.toEpochMilli();
        Map<String, NavigableMap<Long, Double>> known = new TreeMap<>();
        series.forEach((constituency, points) -> {
            NavigableMap<Long, Double> k = new TreeMap<>();
            k.put(0L, valueAt(points, open));
            points.subMap(open, false, close, false).forEach((time, pct) -> k.put(time - open, pct));
            k.put(close - open, valueAt(points, close));
            known.put(constituency, k);
        });
        return known;
    }

    /**
     * The known values of a published-hours table (its CSV lines: {@code constituency_id,polls_open,polls_close,HH:MM...,final}):
     * 0 at the row's opening, each figure at its hour (an hour earlier than the opening is the next day's; cells after the
     * close are empty), the final figure at the close. The job has checked the table when it started; a line this cannot
     * read is an IllegalArgumentException naming it.
     */
    public static Map<String, NavigableMap<Long, Double>> fromTable(List<String> lines, String file) {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 && lines.get(i).startsWith("\uFEFF") ? lines.get(i).substring(1) : lines.get(i);
            if (line.isBlank()) continue;
            rows.add(line.split(",", -1));
            lineNumbers.add(i + 1);
        }
        if (rows.isEmpty()) throw new IllegalArgumentException(file + ": empty baseline table");
        String[] header = rows.get(0);
        if (header.length < 4 || !header[0].strip().equals("constituency_id") || !header[header.length - 1].strip().equals("final")) {
            throw new IllegalArgumentException(file + ":" + lineNumbers.get(0) + ": not a baseline table header: " + String.join(",", header));
        }
        Map<String, NavigableMap<Long, Double>> known = new TreeMap<>();
        for (int r = 1; r < rows.size(); r++) {
            String[] row = rows.get(r);
            String where = file + ":" + lineNumbers.get(r);
            if (row.length != header.length) throw new IllegalArgumentException(where + ": " + row.length + " columns, the header has " + header.length);
            try {
                LocalTime opening = LocalTime.parse(row[1].strip());
                long close = millisAfter(opening, LocalTime.parse(row[2].strip()));
                NavigableMap<Long, Double> k = new TreeMap<>();
                k.put(0L, 0.0);
                for (int c = 3; c < header.length - 1; c++) {
                    long at = millisAfter(opening, LocalTime.parse(header[c].strip()));
                    if (!row[c].isBlank() && at > 0 && at < close) k.put(at, Double.parseDouble(row[c].strip()));
                }
                k.put(close, Double.parseDouble(row[row.length - 1].strip()));
                known.put(row[0].strip(), k);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new IllegalArgumentException(where + ": cannot read " + String.join(",", row) + ": " + e.getMessage());
            }
        }
        return known;
    }

    /** From a time of day to a later one, across midnight if it reads earlier. */
    private static long millisAfter(LocalTime from, LocalTime to) {
        long d = (to.toSecondOfDay() - from.toSecondOfDay()) * 1000L;
        return d < 0 ? d + DAY_MILLIS : d;
    }
}
