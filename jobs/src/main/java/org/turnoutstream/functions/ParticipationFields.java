package org.turnoutstream.functions;

import org.apache.flink.api.common.functions.MapFunction;
import org.turnoutstream.participation.Baseline;
import org.turnoutstream.participation.Comparison;
import org.turnoutstream.points.InfluxPoint;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * On the tally's turnout points, for an election that has a baseline ({@link Baseline}): the comparison at the point's
 * instant, as three more fields of the same point: {@value #BASELINE} (the baseline's turnout then, percent),
 * {@value #VS_BASELINE} (today minus baseline, percentage points) and {@value #PROJECTED} (the projected final turnout,
 * percent; absent while undefined). A pure function of the point: a point the tally writes again (a late report) gets
 * its fields again, and a replay computes the same.
 * Points of other elections and other measurements pass unchanged.
 */
public class ParticipationFields implements MapFunction<InfluxPoint, InfluxPoint> {
    private static final long serialVersionUID = 1L;

    public static final String BASELINE = "baseline_pct";
    public static final String VS_BASELINE = "vs_baseline_pts";
    public static final String PROJECTED = "projected_pct";

    private final HashMap<String, Baseline> baselines;

    public ParticipationFields(Map<String, Baseline> baselines) {
        this.baselines = new HashMap<>(baselines);
    }

    @Override
    public InfluxPoint map(InfluxPoint point) {
        String election = point.tag("election");
        Baseline baseline = election == null ? null : baselines.get(election);
        if (baseline == null) return point;
        Comparison comparison = compare(baseline, point);
        if (comparison == null) return point;
        Map<String, Double> fields = new LinkedHashMap<>();
        fields.put(BASELINE, comparison.baselinePct());
        fields.put(VS_BASELINE, comparison.vsBaselinePts());
        comparison.projectedPct().ifPresent(p -> fields.put(PROJECTED, p));
        return point.withFields(fields);
    }

    private static Comparison compare(Baseline baseline, InfluxPoint point) {
        if (!(point.field("ballots") instanceof Long ballots) || !(point.field("eligible") instanceof Long eligible)) return null;
        double today = TurnoutPoints.turnoutPercent(ballots, eligible);
        long instant = point.timeMillis();
        return switch (point.measurement()) {
            case TurnoutPoints.CONSTITUENCY -> baseline.constituency(point.tag("constituency"), instant, today);
            case TurnoutPoints.PROVINCE -> baseline.province(point.tag("province"), instant, today);
            case TurnoutPoints.NATIONAL -> baseline.national(instant, today);
            default -> null;
        };
    }
}
