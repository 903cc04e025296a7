package org.turnoutstream.audit;

import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.schemas.TurnoutReport;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares, per election, area and grid instant, three opinions of {@code constituency_turnout},
 * {@code province_turnout} and {@code national_turnout} (ballots, branches_reporting): the live series in InfluxDB,
 * a replay run (its {@code run} tag) and the {@link IndependentRecount} of the same raw records (its province and
 * national points are sums of its constituencies). Every difference is listed with the reports that explain it: the
 * valid reports of that area that count at the instant or arrive after it. A difference is EXPLAINED only by a documented rule of the live job: a report that
 * arrived (Kafka timestamp) more than the correction horizon after the instant does not rewrite that point, though
 * the recount counts it. Everything else is UNEXPLAINED.
 *
 * <p>For an election compared with a baseline (issue 14) the points also carry baseline_pct, vs_baseline_pts and
 * projected_pct: those of the live series and the replay are compared, presence and value (within {@link #TOLERANCE}),
 * with the {@link IndependentParticipation} of the recount's ballots. Such a difference is EXPLAINED only when the
 * fields are what the baseline gives for the point's own ballots and the point's ballots difference is itself explained.
 */
public final class TurnoutAudit {
    public static final int MAX_EVENTS_PER_DIFFERENCE = 40;

    /** The three series compared, in report order. */
    public enum Level {
        CONSTITUENCY(AuditPoints.CONSTITUENCY), PROVINCE(AuditPoints.PROVINCE), NATIONAL(AuditPoints.NATIONAL);

        public final String measurement;

        Level(String measurement) {
            this.measurement = measurement;
        }
    }

    /** A point: {@code area} is the constituency id, the province id, or "" for the nation. */
    public record Key(String election, Level level, String area, long time) implements Comparable<Key> {
        public static Key constituency(String election, String constituency, long time) {
            return new Key(election, Level.CONSTITUENCY, constituency, time);
        }

        public static Key province(String election, String province, long time) {
            return new Key(election, Level.PROVINCE, province, time);
        }

        public static Key national(String election, long time) {
            return new Key(election, Level.NATIONAL, "", time);
        }

        /** How a difference names the point: "teh-01", "province teh", "national". */
        public String label() {
            return switch (level) {
                case CONSTITUENCY -> area;
                case PROVINCE -> "province " + area;
                case NATIONAL -> "national";
            };
        }

        String group() {
            return election + "\u0000" + level + "\u0000" + area;
        }

        @Override
        public int compareTo(Key o) {
            int c = election.compareTo(o.election);
            if (c == 0) c = level.compareTo(o.level);
            if (c == 0) c = area.compareTo(o.area);
            return c != 0 ? c : Long.compare(time, o.time);
        }
    }

    /** ballots and branches_reporting of a point; null where a source has no point. */
    public record Counts(long ballots, long reporting) {
        @Override
        public String toString() {
            return ballots + " ballots / " + reporting + " branches";
        }
    }

    /** A valid report of the constituency, as received: what a difference is explained with. */
    public record Evidence(String branch, long sequence, long ballots, Instant eventTime, Instant receivedAt, String coordinates,
                           boolean firstCountsAtThisInstant, boolean arrivedAfterHorizon) {}

    public record Difference(Key key, Counts live, Counts replay, Counts recount, boolean explained, String explanation,
                             List<Evidence> events) {}

    /** How far two participation values (percent) may be apart and still agree: relative, or absolute below 1. */
    public static final double TOLERANCE = 1e-9;

    /** The participation fields of a point, in percent or percentage points; null where the point has not the field. */
    public record Participation(Double baselinePct, Double vsBaselinePts, Double projectedPct) {
        public static final Participation NONE = new Participation(null, null, null);
        /** The fields as InfluxDB names them, in report order. */
        public static final List<String> FIELDS = List.of("baseline_pct", "vs_baseline_pts", "projected_pct");

        /** The value of one of {@link #FIELDS}. */
        public Double field(String name) {
            return switch (name) {
                case "baseline_pct" -> baselinePct;
                case "vs_baseline_pts" -> vsBaselinePts;
                case "projected_pct" -> projectedPct;
                default -> throw new IllegalArgumentException("not a participation field: " + name);
            };
        }

        /** The fields that differ from {@code other}'s: one present and one not, or further apart than {@link #TOLERANCE}. */
        public List<String> differingFields(Participation other) {
            List<String> differing = new ArrayList<>();
            for (String f : FIELDS) if (!agree(field(f), other.field(f))) differing.add(f);
            return differing;
        }

        private static boolean agree(Double a, Double b) {
            if (a == null || b == null) return a == b;
            return Math.abs(a - b) <= TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
        }

        String show(List<String> fields) {
            StringBuilder text = new StringBuilder();
            for (String f : fields) text.append(text.length() == 0 ? "" : ", ").append(field(f) == null ? "no " + f : f + " " + field(f));
            return text.toString();
        }
    }

    /**
     * What the participation comparison needs: per election compared with a baseline the audit's own computation, and
     * the fields of the live series' and the replay's points (a point of such an election without them: {@link Participation#NONE}).
     */
    public record ParticipationInput(Map<String, IndependentParticipation> baselines, Map<Key, Participation> live, Map<Key, Participation> replay) {
        public static ParticipationInput none() {
            return new ParticipationInput(Map.of(), Map.of(), Map.of());
        }
    }

    /** A point whose participation fields differ; {@code recount}: the audit's computation from the recount's ballots. */
    public record ParticipationDifference(Key key, String baseline, Participation live, Participation replay, Participation recount,
                                          boolean explained, String explanation) {}

    /** @param participationCompared per election compared with a baseline, how many points had their participation fields compared */
    public record Result(int pointsCompared, List<Difference> differences, Map<String, Integer> participationCompared,
                         List<ParticipationDifference> participationDifferences, Map<String, Map<String, long[]>> liveFinal,
                         Map<String, Map<String, long[]>> replayFinal, IndependentRecount.Result recount) {
        /** Ballots and participation differences together: what the verdict counts. */
        public int allDifferences() {
            return differences.size() + participationDifferences.size();
        }

        public long unexplained() {
            return differences.stream().filter(d -> !d.explained()).count() + participationDifferences.stream().filter(d -> !d.explained()).count();
        }

        /** Every difference's explanation, ballots differences first. */
        public List<String> explanations() {
            List<String> all = new ArrayList<>();
            differences.forEach(d -> all.add(d.explanation()));
            participationDifferences.forEach(d -> all.add(d.explanation()));
            return all;
        }
    }

    /**
     * @param live    the live series: key -> counts (only the recount's elections and time range are compared)
     * @param replay  the replay's series, likewise
     * @param participation the participation fields of the elections compared with a baseline ({@link ParticipationInput#none()}: none)
     * @param reread  reads the same raw records again (turnout topic), for the explanations
     */
    public static Result compare(IndependentRecount.Result recount, Map<Key, Counts> live, Map<Key, Counts> replay, ParticipationInput participation,
                                 ReplayRecords reread, IndependentRecount.ValueDecoder decoder, ReportValidator validator,
                                 Duration correctionHorizon) throws IOException {
        Map<Key, Counts> truth = new TreeMap<>();
        Map<String, long[]> ranges = new HashMap<>();
        Map<String, String> provinceOf = new HashMap<>(); // election + constituency -> province
        for (IndependentRecount.ElectionSeries series : recount.elections().values()) {
            int nc = series.constituencies().size();
            for (int t = 0; t < series.instants(); t++) {
                long time = series.firstInstant() + t * series.gridMillis();
                Map<String, long[]> provinces = new TreeMap<>();
                long[] nation = new long[2];
                for (int c = 0; c < nc; c++) {
                    Constituency constituency = series.constituencies().get(c);
                    long ballots = series.ballots()[t * nc + c], reporting = series.reporting()[t * nc + c];
                    truth.put(Key.constituency(series.election(), constituency.id(), time), new Counts(ballots, reporting));
                    long[] p = provinces.computeIfAbsent(constituency.province(), x -> new long[2]);
                    p[0] += ballots;
                    p[1] += reporting;
                    nation[0] += ballots;
                    nation[1] += reporting;
                }
                provinces.forEach((province, p) -> truth.put(Key.province(series.election(), province, time), new Counts(p[0], p[1])));
                truth.put(Key.national(series.election(), time), new Counts(nation[0], nation[1]));
            }
            for (Constituency c : series.constituencies()) provinceOf.put(series.election() + "\u0000" + c.id(), c.province());
            ranges.put(series.election(), new long[]{series.firstInstant(), series.lastInstant()});
        }
        TreeSet<Key> keys = new TreeSet<>(truth.keySet());
        for (Map<Key, Counts> other : List.of(live, replay)) {
            for (Key k : other.keySet()) {
                long[] range = ranges.get(k.election());
                if (range != null && k.time() >= range[0] && k.time() <= range[1]) keys.add(k);
            }
        }
        List<Key> differing = new ArrayList<>();
        for (Key k : keys) {
            Counts t = truth.get(k);
            if (!Objects.equals(t, live.get(k)) || !Objects.equals(t, replay.get(k))) differing.add(k);
        }
        Map<String, List<Evidence>> evidence = differing.isEmpty() ? Map.of() : evidence(differing, provinceOf, reread, decoder, validator,
                recount.gridMillis(), correctionHorizon);
        List<Difference> differences = new ArrayList<>();
        for (Key k : differing) differences.add(explain(k, truth.get(k), live.get(k), replay.get(k),
                evidence.getOrDefault(k.group(), List.of()), recount.gridMillis(), correctionHorizon));
        Map<String, Integer> participationCompared = new TreeMap<>();
        List<ParticipationDifference> participationDifferences = compareParticipation(truth, live, replay, participation, differences,
                participationCompared);
        return new Result(keys.size(), differences, participationCompared, participationDifferences, finalTotals(live, ranges),
                finalTotals(replay, ranges), recount);
    }

    /** At every recount point of an election with a baseline, the fields of the live and replay points that have one. */
    private static List<ParticipationDifference> compareParticipation(Map<Key, Counts> truth, Map<Key, Counts> live, Map<Key, Counts> replay,
                                                                      ParticipationInput input, List<Difference> ballotsDifferences,
                                                                      Map<String, Integer> compared) {
        Map<Key, Difference> ballots = new HashMap<>();
        for (Difference d : ballotsDifferences) ballots.put(d.key(), d);
        for (String election : input.baselines().keySet()) compared.put(election, 0);
        List<ParticipationDifference> out = new ArrayList<>();
        for (Map.Entry<Key, Counts> point : truth.entrySet()) {
            Key k = point.getKey();
            IndependentParticipation baseline = input.baselines().get(k.election());
            if (baseline == null) continue;
            compared.merge(k.election(), 1, Integer::sum);
            Participation expected = baseline.at(k, point.getValue().ballots());
            // a source without the point has a ballots difference already
            Participation l = live.get(k) == null ? null : input.live().getOrDefault(k, Participation.NONE);
            Participation r = replay.get(k) == null ? null : input.replay().getOrDefault(k, Participation.NONE);
            List<String> liveDiffers = l == null ? List.of() : l.differingFields(expected);
            List<String> replayDiffers = r == null ? List.of() : r.differingFields(expected);
            if (liveDiffers.isEmpty() && replayDiffers.isEmpty()) continue;
            out.add(explainParticipation(k, baseline, expected, l, live.get(k), liveDiffers, r, replay.get(k), replayDiffers, ballots.get(k)));
        }
        return out;
    }

    private static ParticipationDifference explainParticipation(Key k, IndependentParticipation baseline, Participation expected,
                                                                Participation live, Counts liveCounts, List<String> liveDiffers,
                                                                Participation replay, Counts replayCounts, List<String> replayDiffers,
                                                                Difference ballots) {
        List<String> fields = new ArrayList<>();
        for (String f : Participation.FIELDS) if (liveDiffers.contains(f) || replayDiffers.contains(f)) fields.add(f);
        List<String> sides = new ArrayList<>(), inconsistent = new ArrayList<>();
        if (!liveDiffers.isEmpty()) {
            sides.add("live " + live.show(fields));
            if (!live.differingFields(baseline.at(k, liveCounts.ballots())).isEmpty()) inconsistent.add("live");
        }
        if (!replayDiffers.isEmpty()) {
            sides.add("replay " + replay.show(fields));
            if (!replay.differingFields(baseline.at(k, replayCounts.ballots())).isEmpty()) inconsistent.add("replay");
        }
        String base = k.label() + " at " + Instant.ofEpochMilli(k.time()) + ": " + String.join("; ", sides) + " but the recount with the baseline ("
                + baseline.source() + ") gives " + expected.show(fields);
        boolean explained = inconsistent.isEmpty() && ballots != null && ballots.explained();
        String explanation;
        if (explained) {
            explanation = base + ". EXPLAINED: they are what the baseline gives for the point's own ballots, which differ from the recount's"
                    + " as explained for them (reports after the correction horizon)";
        } else if (inconsistent.isEmpty()) {
            explanation = base + ". UNEXPLAINED: they are what the baseline gives for the point's own ballots, whose difference from the"
                    + " recount is unexplained";
        } else {
            explanation = base + ". UNEXPLAINED: the " + String.join(" and ", inconsistent) + " fields are not what the baseline gives for"
                    + " the point's own ballots";
        }
        return new ParticipationDifference(k, baseline.source(), live, replay, expected, explained, explanation);
    }

    /**
     * Reads the records again and keeps the valid reports of the areas (constituency, province, nation) that differ,
     * only those that {@link #explain} can list for one of the differing instants (a national difference must not
     * hold every report of the day): the first differing instant t at or after the report's event time is the one
     * where it first counts (event time in (t - grid, t]) or, if it arrived after t + horizon, the one it was late for.
     */
    private static Map<String, List<Evidence>> evidence(List<Key> differing, Map<String, String> provinceOf, ReplayRecords reread,
                                                        IndependentRecount.ValueDecoder decoder, ReportValidator validator,
                                                        long grid, Duration horizon) throws IOException {
        Map<String, TreeSet<Long>> wanted = new HashMap<>();
        for (Key k : differing) wanted.computeIfAbsent(k.group(), g -> new TreeSet<>()).add(k.time());
        Map<String, List<Evidence>> out = new HashMap<>();
        Iterator<RawRecord> records = reread.open();
        Map<String, java.util.BitSet> seenSequences = new HashMap<>(); // election + branch -> sequences received (compact for a whole day)
        while (records.hasNext()) {
            RawRecord r = records.next();
            TurnoutReport report;
            try {
                report = decoder.decode(r.value);
            } catch (DecodeException e) {
                continue;
            }
            if (validator.check(report).isPresent()) continue;
            String election = report.getElection(), constituency = report.getConstituencyId();
            long event = report.getEventTime().toEpochMilli();
            if (validator.aheadOfHeard(event, r.timestamp) > 0) event = r.timestamp; // counted at its heard time
            // a duplicate never counts: only the first received of a sequence is evidence, whether or not it is listed
            java.util.BitSet seen = seenSequences.computeIfAbsent(election + "\u0000" + report.getBranchId(), b -> new java.util.BitSet());
            long sequence = report.getSequence();
            boolean first = sequence < 0 || sequence >= Integer.MAX_VALUE || !seen.get((int) sequence);
            if (sequence >= 0 && sequence < Integer.MAX_VALUE) seen.set((int) sequence);
            if (!first) continue;
            List<String> groups = new ArrayList<>(3);
            for (Key area : List.of(Key.constituency(election, constituency, 0), Key.province(election, provinceOf.getOrDefault(election + "\u0000" + constituency, ""), 0),
                    Key.national(election, 0))) {
                TreeSet<Long> times = wanted.get(area.group());
                Long t = times == null ? null : times.ceiling(event);
                if (t != null && (event > t - grid || r.timestamp > t + horizon.toMillis())) groups.add(area.group());
            }
            if (groups.isEmpty()) continue;
            Evidence e = new Evidence(report.getBranchId(), report.getSequence(), report.getBallotsCast(),
                    Instant.ofEpochMilli(event), Instant.ofEpochMilli(r.timestamp), r.coordinates(), false, false);
            for (String group : groups) out.computeIfAbsent(group, g -> new ArrayList<>()).add(e);
        }
        return out;
    }

    private static Difference explain(Key k, Counts truth, Counts live, Counts replay, List<Evidence> reports, long grid, Duration horizon) {
        long t = k.time();
        List<Evidence> relevant = new ArrayList<>();
        List<Evidence> lateBeyondHorizon = new ArrayList<>();
        for (Evidence e : reports) {
            long event = e.eventTime().toEpochMilli();
            boolean countsNow = event > t - grid && event <= t;
            boolean late = event <= t && e.receivedAt().toEpochMilli() > t + horizon.toMillis();
            if (countsNow || late) {
                Evidence marked = new Evidence(e.branch(), e.sequence(), e.ballots(), e.eventTime(), e.receivedAt(), e.coordinates(), countsNow, late);
                relevant.add(marked);
                if (late) lateBeyondHorizon.add(marked);
            }
        }
        if (relevant.size() > MAX_EVENTS_PER_DIFFERENCE) relevant = relevant.subList(0, MAX_EVENTS_PER_DIFFERENCE);
        String who = (Objects.equals(truth, live) ? "" : "live " + show(live)) + (Objects.equals(truth, replay) ? ""
                : (Objects.equals(truth, live) ? "" : ", ") + "replay " + show(replay));
        String base = k.label() + " at " + Instant.ofEpochMilli(t) + ": " + who + " but the recount of the same records gives " + show(truth);
        boolean explained = truth != null && live != null && replay != null && !lateBeyondHorizon.isEmpty()
                && live.ballots() <= truth.ballots() && replay.ballots() <= truth.ballots();
        String explanation = explained
                ? base + ". EXPLAINED: " + lateBeyondHorizon.size() + " report(s) for this instant arrived more than the correction horizon ("
                  + horizon + ") after it, and the streaming job leaves points older than the horizon as written"
                : base + ". UNEXPLAINED: " + (relevant.isEmpty() ? "no valid report of " + k.label() + " first counts at this instant"
                  : "the " + relevant.size() + " report(s) listed are those that first count at this instant")
                  + (live == null ? "; the live series has no point here" : "") + (replay == null ? "; the replay has no point here" : "");
        return new Difference(k, live, replay, truth, explained, explanation, List.copyOf(relevant));
    }

    private static String show(Counts c) {
        return c == null ? "no point" : c.toString();
    }

    /** The counts at the last instant of each election's range, per constituency (for the digest). */
    private static Map<String, Map<String, long[]>> finalTotals(Map<Key, Counts> series, Map<String, long[]> ranges) {
        Map<String, Map<String, long[]>> totals = new TreeMap<>();
        series.forEach((k, c) -> {
            long[] range = ranges.get(k.election());
            if (range != null && k.level() == Level.CONSTITUENCY && k.time() == range[1]) {
                totals.computeIfAbsent(k.election(), e -> new TreeMap<>()).put(k.area(), new long[]{c.ballots(), c.reporting()});
            }
        });
        return totals;
    }

    /** Opens the raw turnout records again (Kafka range or archive), from the start. */
    @FunctionalInterface
    public interface ReplayRecords {
        Iterator<RawRecord> open() throws IOException;
    }
}
