package org.turnoutstream.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * What the job must write for a run-off compared with its first round (issue 14), worked out from the two rounds'
 * {@link GroundTruth}s alone: at every instant of the run-off's series (each whole hour after its opening, and its
 * close), per constituency, per province and for the nation, today's turnout, the baseline, the difference and the
 * projected final turnout. It is the independent check of core's {@code Baseline}, {@code BaselineCurve} and
 * {@code SeriesCurves}, so it uses none of them: the arithmetic below is written from the formulas.
 *
 * <p>All figures are in percent of eligible voters; e is the time since the run-off's polls opened.
 * <ul>
 *   <li>today: 100 x the run-off's ballots / its eligible voters (0 where nobody is eligible);</li>
 *   <li>baseline(e) of a constituency: the first round's turnout e after ITS polls opened, over the first round's eligible
 *       voters. Its series gives that at its whole hours and at its close, and it is 0 at its opening; between two of
 *       those it is linear, from its close on it is its final turnout. When both days open and close on whole hours
 *       after the opening, every e of the run-off's series is one of those points, so no interpolation is involved;
 *       only when the days differ in length can the run-off's close fall between two of the first round's hours;</li>
 *   <li>baseline of a province or the nation: sum of the constituencies' baselines x the run-off's eligible voters / sum
 *       of those voters (where nobody is eligible, the plain mean, as the job does), and its final likewise;</li>
 *   <li>difference: today - baseline, in percentage points (negative: behind the first round);</li>
 *   <li>projected final: today x baseline final / baseline(e), where the baseline final is the first round's final
 *       turnout (at its own close); only once e is at least {@code projectionAfter} of the run-off's polling day and
 *       baseline(e) is above 0, empty before.</li>
 * </ul>
 */
public final class ParticipationTruth {
    /** The share of the run-off's polling day before which nothing is projected, unless told otherwise. */
    public static final double DEFAULT_PROJECTION_AFTER = 0.25;

    private ParticipationTruth() {}

    /** One area's comparison at one instant; {@code projectedPct} is empty while it is undefined. */
    public record Figures(double todayPct, double baselinePct, double vsBaselinePts, OptionalDouble projectedPct) {}

    /** The run-off at one instant of its series: constituencies in the reference data's order, provinces sorted. */
    public record Moment(Instant at, Duration sinceOpening, Map<String, Figures> constituencies,
                         Map<String, Figures> provinces, Figures national) {}

    /** The comparison at every instant of the run-off's series, projecting after {@link #DEFAULT_PROJECTION_AFTER} of its day. */
    public static List<Moment> of(GroundTruth firstRound, GroundTruth runOff) {
        return of(firstRound, runOff, DEFAULT_PROJECTION_AFTER);
    }

    /**
     * The comparison at every instant of the run-off's series. Throws IllegalArgumentException when a truth has no
     * series (it was written before the simulator recorded one) or the first round lacks one of the run-off's
     * constituencies.
     */
    public static List<Moment> of(GroundTruth firstRound, GroundTruth runOff, double projectionAfter) {
        requireSeries(firstRound);
        requireSeries(runOff);
        Map<String, FirstRoundTurnout> baselines = new LinkedHashMap<>();
        Map<String, List<String>> provinces = new TreeMap<>();
        for (Map.Entry<String, GroundTruth.Totals> c : runOff.constituencies().entrySet()) {
            baselines.put(c.getKey(), FirstRoundTurnout.of(firstRound, c.getKey()));
            provinces.computeIfAbsent(c.getValue().province(), p -> new ArrayList<>()).add(c.getKey());
        }
        Instant open = Instant.parse(runOff.pollsOpen());
        long dayMillis = Duration.between(open, Instant.parse(runOff.pollsClose())).toMillis();
        List<Moment> moments = new ArrayList<>();
        for (GroundTruth.SeriesPoint point : runOff.series()) {
            Instant at = Instant.parse(point.at());
            long elapsed = Duration.between(open, at).toMillis();
            boolean projecting = elapsed >= projectionAfter * dayMillis;
            Map<String, Figures> constituencies = new LinkedHashMap<>();
            baselines.forEach((c, baseline) -> constituencies.put(c, figures(
                    percent(point.ballots().get(c), runOff.constituencies().get(c).eligibleVoters()),
                    baseline.at(elapsed), baseline.finalPct(), projecting)));
            Map<String, Figures> perProvince = new LinkedHashMap<>();
            provinces.forEach((p, members) -> perProvince.put(p, area(members, point, runOff, baselines, elapsed, projecting)));
            Figures national = area(List.copyOf(baselines.keySet()), point, runOff, baselines, elapsed, projecting);
            moments.add(new Moment(at, Duration.ofMillis(elapsed), constituencies, perProvince, national));
        }
        return moments;
    }

    /** The figures of a province's constituencies, or the nation's, at one instant of the run-off. */
    private static Figures area(List<String> members, GroundTruth.SeriesPoint point, GroundTruth runOff,
                                Map<String, FirstRoundTurnout> baselines, long elapsed, boolean projecting) {
        long ballots = 0, eligible = 0;
        double weightedNow = 0, weightedFinal = 0, sumNow = 0, sumFinal = 0;
        for (String c : members) {
            long voters = runOff.constituencies().get(c).eligibleVoters();
            FirstRoundTurnout baseline = baselines.get(c);
            ballots += point.ballots().get(c);
            eligible += voters;
            weightedNow += baseline.at(elapsed) * voters;
            weightedFinal += baseline.finalPct() * voters;
            sumNow += baseline.at(elapsed);
            sumFinal += baseline.finalPct();
        }
        if (eligible > 0) return figures(percent(ballots, eligible), weightedNow / eligible, weightedFinal / eligible, projecting);
        return figures(0.0, sumNow / members.size(), sumFinal / members.size(), projecting);
    }

    private static Figures figures(double today, double baselineNow, double baselineFinal, boolean projecting) {
        OptionalDouble projected = projecting && baselineNow > 0
                ? OptionalDouble.of(today * baselineFinal / baselineNow) : OptionalDouble.empty();
        return new Figures(today, baselineNow, today - baselineNow, projected);
    }

    /** In the job's own arithmetic (ballots x 100.0 / eligible), so equal counts give equal doubles. */
    static double percent(long ballots, long eligible) {
        return eligible > 0 ? ballots * 100.0 / eligible : 0.0;
    }

    private static void requireSeries(GroundTruth truth) {
        if (truth.series().isEmpty()) {
            throw new IllegalArgumentException("the ground truth of " + truth.election()
                    + " has no series (it was written before the simulator recorded one); simulate it again");
        }
    }

    /** A first-round constituency's turnout in percent against the time since its polls opened. */
    private static final class FirstRoundTurnout {
        private final long[] elapsedMillis;
        private final double[] pct;

        private FirstRoundTurnout(long[] elapsedMillis, double[] pct) {
            this.elapsedMillis = elapsedMillis;
            this.pct = pct;
        }

        static FirstRoundTurnout of(GroundTruth firstRound, String constituency) {
            GroundTruth.Totals totals = firstRound.constituencies().get(constituency);
            if (totals == null) {
                throw new IllegalArgumentException("the first round " + firstRound.election() + " has no constituency " + constituency);
            }
            Instant open = Instant.parse(firstRound.pollsOpen());
            int n = firstRound.series().size();
            long[] elapsed = new long[n + 1];      // knot 0: the opening, when nobody has voted yet
            double[] pct = new double[n + 1];
            for (int i = 0; i < n; i++) {
                GroundTruth.SeriesPoint point = firstRound.series().get(i);
                elapsed[i + 1] = Duration.between(open, Instant.parse(point.at())).toMillis();
                pct[i + 1] = percent(point.ballots().get(constituency), totals.eligibleVoters());
            }
            return new FirstRoundTurnout(elapsed, pct);
        }

        /** At a knot its value exactly; between two, on the straight line; from the close on, the final turnout. */
        double at(long elapsed) {
            if (elapsed <= 0) return 0.0;
            for (int i = 1; i < elapsedMillis.length; i++) {
                if (elapsed == elapsedMillis[i]) return pct[i];
                if (elapsed < elapsedMillis[i]) {
                    double f = (double) (elapsed - elapsedMillis[i - 1]) / (elapsedMillis[i] - elapsedMillis[i - 1]);
                    return pct[i - 1] + f * (pct[i] - pct[i - 1]);
                }
            }
            return finalPct();
        }

        double finalPct() {
            return pct[pct.length - 1];
        }
    }
}
