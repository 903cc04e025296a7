package org.turnoutstream.simulator;

/**
 * The share of a constituency's eventual voters who have voted by a given moment of the polling day,
 * as a function of the day fraction {@code x} (0 = polls open, 1 = polls close).
 *
 * <p>The voting rate has a morning rush, a midday dip and an evening peak; the curve is its normalised
 * integral, so {@link #votedShare} rises monotonically from 0 at opening to exactly 1 at closing, and
 * {@link #turnoutAt} ends at {@link #finalTurnout()} (the share of eligible voters who vote). Parameters are
 * seeded per constituency: a first round's by {@link #seeded}, its run-off's by {@link #runOff}.
 */
public final class TurnoutCurve {
    /** Resolution of the integrated curve: one step per minute of a 12-hour day. */
    static final int STEPS = 720;
    public static final double MIN_FINAL_TURNOUT = 0.35;
    public static final double MAX_FINAL_TURNOUT = 0.75;
    /**
     * Bounds of the factor that turns a first round's final turnout into its run-off's: most constituencies vote less
     * in a second round, some a little more.
     */
    public static final double MIN_RUN_OFF_FACTOR = 0.75;
    public static final double MAX_RUN_OFF_FACTOR = 1.05;
    /** How far a run-off's morning and evening peaks move from the first round's, as a share of the day (0.04: 29 min of 12 h). */
    public static final double MAX_RUN_OFF_PEAK_SHIFT = 0.04;

    private final double finalTurnout;
    private final double morningPeak, morningWeight, eveningPeak, eveningWeight, middayDip, base;
    private final double[] cumulative = new double[STEPS + 1]; // cumulative[i] = votedShare(i / STEPS)

    public TurnoutCurve(double finalTurnout, double morningPeak, double morningWeight,
                        double eveningPeak, double eveningWeight, double middayDip) {
        if (!(finalTurnout >= 0 && finalTurnout <= 1)) throw new IllegalArgumentException("finalTurnout not in [0,1]: " + finalTurnout);
        this.finalTurnout = finalTurnout;
        this.morningPeak = morningPeak;
        this.morningWeight = morningWeight;
        this.eveningPeak = eveningPeak;
        this.eveningWeight = eveningWeight;
        this.middayDip = middayDip;
        this.base = 1.0;
        double sum = 0;
        cumulative[0] = 0;
        for (int i = 1; i <= STEPS; i++) {
            double a = intensityRaw((i - 1) / (double) STEPS), b = intensityRaw(i / (double) STEPS);
            sum += (a + b) / 2;
            cumulative[i] = sum;
        }
        for (int i = 1; i < STEPS; i++) cumulative[i] /= sum;
        cumulative[STEPS] = 1.0;
    }

    /** A curve with parameters drawn from the seed and the constituency index; final turnout in [35 %, 75 %). */
    public static TurnoutCurve seeded(long seed, long constituency) {
        return new TurnoutCurve(
                Mix.between(MIN_FINAL_TURNOUT, MAX_FINAL_TURNOUT, seed, 101, constituency, 0),
                Mix.between(0.10, 0.22, seed, 101, constituency, 1),   // 09:12 .. 10:38 on an 08-20 day
                Mix.between(1.2, 2.2, seed, 101, constituency, 2),
                Mix.between(0.78, 0.92, seed, 101, constituency, 3),   // 17:22 .. 19:02
                Mix.between(1.6, 3.0, seed, 101, constituency, 4),
                Mix.between(0.30, 0.55, seed, 101, constituency, 5));
    }

    /**
     * The run-off's curve in the constituency whose first-round curve is {@code seeded(seed, constituency)}: the same
     * day with seeded, bounded changes (purpose 102, so the first round's draws stay as they were): the final turnout
     * times a factor in [{@value #MIN_RUN_OFF_FACTOR}, {@value #MAX_RUN_OFF_FACTOR}), each peak moved by up to
     * {@value #MAX_RUN_OFF_PEAK_SHIFT} of the day, the peaks' weights and the midday dip scaled by 0.8-1.25. So one
     * constituency falls several points behind its first round during the day while another keeps up.
     */
    public static TurnoutCurve runOff(long seed, long constituency) {
        TurnoutCurve first = seeded(seed, constituency);
        return new TurnoutCurve(
                first.finalTurnout * Mix.between(MIN_RUN_OFF_FACTOR, MAX_RUN_OFF_FACTOR, seed, 102, constituency, 0),
                first.morningPeak + Mix.between(-MAX_RUN_OFF_PEAK_SHIFT, MAX_RUN_OFF_PEAK_SHIFT, seed, 102, constituency, 1),
                first.morningWeight * Mix.between(0.8, 1.25, seed, 102, constituency, 2),
                first.eveningPeak + Mix.between(-MAX_RUN_OFF_PEAK_SHIFT, MAX_RUN_OFF_PEAK_SHIFT, seed, 102, constituency, 3),
                first.eveningWeight * Mix.between(0.8, 1.25, seed, 102, constituency, 4),
                first.middayDip * Mix.between(0.8, 1.25, seed, 102, constituency, 5));
    }

    private double intensityRaw(double x) {
        double v = base
                + morningWeight * gauss(x, morningPeak, 0.07)
                + eveningWeight * gauss(x, eveningPeak, 0.07)
                - middayDip * gauss(x, 0.5, 0.08);
        return Math.max(v, 0.05);
    }

    private static double gauss(double x, double mu, double sigma) {
        double d = (x - mu) / sigma;
        return Math.exp(-0.5 * d * d);
    }

    /** Relative voting rate at day fraction x (arbitrary units, always positive). */
    public double intensity(double x) {
        return intensityRaw(clamp(x));
    }

    /** Share of the eventual voters who have voted by day fraction x: 0 at opening, exactly 1 at closing. */
    public double votedShare(double x) {
        x = clamp(x);
        double pos = x * STEPS;
        int i = (int) pos;
        if (i >= STEPS) return 1.0;
        double f = pos - i;
        return cumulative[i] + f * (cumulative[i + 1] - cumulative[i]);
    }

    /** Share of the eligible voters who have voted by day fraction x; {@link #finalTurnout()} at closing. */
    public double turnoutAt(double x) {
        return finalTurnout * votedShare(x);
    }

    /** The day fraction by which the given share of the eventual voters has voted (inverse of votedShare). */
    public double dayFractionAt(double share) {
        if (share <= 0) return 0;
        if (share >= 1) return 1;
        int lo = 0, hi = STEPS;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < share) lo = mid; else hi = mid;
        }
        double span = cumulative[hi] - cumulative[lo];
        double f = span <= 0 ? 0 : (share - cumulative[lo]) / span;
        return (lo + f) / STEPS;
    }

    public double finalTurnout() { return finalTurnout; }
    public double morningPeak() { return morningPeak; }
    public double eveningPeak() { return eveningPeak; }

    private static double clamp(double x) {
        return x < 0 ? 0 : (x > 1 ? 1 : x);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "TurnoutCurve[final=%.3f, morning=%.2f, evening=%.2f]",
                finalTurnout, morningPeak, eveningPeak);
    }
}
