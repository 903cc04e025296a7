package org.turnoutstream.reference;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A baseline's turnout through its polling day, in percent of eligible voters, as a function of the time since its polls
 * opened: straight lines between known points ("knots"), 0 before the opening, the final turnout from the close on.
 * The knots start at 0 (the opening) and end at the close.
 */
public final class BaselineCurve implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] elapsedMillis;
    private final double[] percent;

    private BaselineCurve(long[] elapsedMillis, double[] percent) {
        this.elapsedMillis = elapsedMillis;
        this.percent = percent;
    }

    /**
     * The curve through these knots: times since the opening (the first must be 0, then strictly increasing; the last
     * is the close) and the turnout in percent at each (>= 0). Throws IllegalArgumentException.
     */
    public static BaselineCurve of(long[] elapsedMillis, double[] percent) {
        if (elapsedMillis.length != percent.length) throw new IllegalArgumentException("as many times as values are needed");
        if (elapsedMillis.length < 2) throw new IllegalArgumentException("a curve needs the opening and the close");
        if (elapsedMillis[0] != 0) throw new IllegalArgumentException("the first knot must be the opening (0), not " + elapsedMillis[0]);
        for (int i = 0; i < percent.length; i++) {
            if (!(percent[i] >= 0 && Double.isFinite(percent[i]))) {
                throw new IllegalArgumentException("turnout " + percent[i] + " % is not a number >= 0");
            }
            if (i > 0 && elapsedMillis[i] <= elapsedMillis[i - 1]) throw new IllegalArgumentException("times must increase");
        }
        return new BaselineCurve(elapsedMillis.clone(), percent.clone());
    }

    /** The turnout, in percent, {@code elapsedMillis} after the polls opened: linear between knots, 0 before, final after. */
    public double at(long elapsedMillis) {
        if (elapsedMillis < 0) return 0.0;
        int last = this.elapsedMillis.length - 1;
        if (elapsedMillis >= this.elapsedMillis[last]) return percent[last];
        int i = Arrays.binarySearch(this.elapsedMillis, elapsedMillis);
        if (i >= 0) return percent[i];
        int hi = -i - 1, lo = hi - 1;
        double f = (double) (elapsedMillis - this.elapsedMillis[lo]) / (this.elapsedMillis[hi] - this.elapsedMillis[lo]);
        return percent[lo] + f * (percent[hi] - percent[lo]);
    }

    /** The turnout at the close. */
    public double finalPercent() {
        return percent[percent.length - 1];
    }

    /** How long its polls were open. */
    public long dayMillis() {
        return elapsedMillis[elapsedMillis.length - 1];
    }

    public int knots() {
        return elapsedMillis.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BaselineCurve c && Arrays.equals(elapsedMillis, c.elapsedMillis) && Arrays.equals(percent, c.percent);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(elapsedMillis) + Arrays.hashCode(percent);
    }

    @Override
    public String toString() {
        return "BaselineCurve[" + knots() + " knots, final " + finalPercent() + " % after " + dayMillis() / 60_000 + " min]";
    }
}
