package org.turnoutstream.participation;

import org.turnoutstream.reference.BaselineCurve;

import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Baseline curves from an election counted by this system: its {@code constituency_turnout} series (turnout in percent
 * per grid instant). The election's turnout at a time t is its point at t, linear between two points, 0 before its first
 * point and its last value after its last point; the curve holds that at the opening, at every point while the polls
 * were open, and at the close (its final turnout).
 */
public final class SeriesCurves {
    private SeriesCurves() {}

    /** Per constituency, its points (instant in epoch millis -> turnout percent), to curves of the day [open, close]. */
    public static Map<String, BaselineCurve> of(Map<String, ? extends NavigableMap<Long, Double>> series, Instant open, Instant close) {
        long from = open.toEpochMilli(), to = close.toEpochMilli();
        if (to <= from) throw new IllegalArgumentException("polls close (" + close + ") must be after they open (" + open + ")");
        Map<String, BaselineCurve> curves = new TreeMap<>();
        series.forEach((constituency, points) -> curves.put(constituency, curve(points, from, to)));
        return curves;
    }

    static BaselineCurve curve(NavigableMap<Long, Double> points, long open, long close) {
        NavigableMap<Long, Double> inside = points.subMap(open, false, close, false);
        long[] t = new long[inside.size() + 2];
        double[] v = new double[t.length];
        v[0] = at(points, open);                    // t[0] = 0: the opening
        int i = 1;
        for (Map.Entry<Long, Double> p : inside.entrySet()) {
            t[i] = p.getKey() - open;
            v[i++] = p.getValue();
        }
        t[i] = close - open;
        v[i] = at(points, close);
        return BaselineCurve.of(t, v);
    }

    /** The series at {@code time}: its point, linear between two, 0 before the first, the last value after the last. */
    static double at(NavigableMap<Long, Double> points, long time) {
        Map.Entry<Long, Double> before = points.floorEntry(time);
        if (before == null) return 0.0;
        if (before.getKey() == time) return before.getValue();
        Map.Entry<Long, Double> after = points.higherEntry(time);
        if (after == null) return before.getValue();
        double f = (double) (time - before.getKey()) / (after.getKey() - before.getKey());
        return before.getValue() + f * (after.getValue() - before.getValue());
    }
}
