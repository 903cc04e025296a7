package org.turnoutstream.functions;

import org.turnoutstream.signals.CompositeKey;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.points.InfluxPoint;

/**
 * Keyed by election and constituency ({@link #keyOf(InfluxPoint)}), on {@link ElectionTally}'s points: one
 * TURNOUT_OVER_100 alert (OVER_ELIGIBLE) the first time a {@code constituency_turnout} point has more ballots
 * than eligible voters. Other measurements are ignored. startedAt is the first such point seen; the id
 * depends only on election and constituency, so a replay (or a correction that rewrites the point) gives
 * the same id. The state is one flag per constituency and election.
 */
public class TurnoutOverEligible extends KeyedProcessFunction<String, InfluxPoint, BranchAlert> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Boolean> alerted;

    /** Election and constituency of a constituency_turnout point ("" for other measurements: filter them out first). */
    public static String keyOf(InfluxPoint point) {
        String constituency = point.tag("constituency");
        return constituency == null ? "" : CompositeKey.of(point.tag("election"), constituency);
    }

    @Override
    public void open(OpenContext openContext) {
        alerted = getRuntimeContext().getState(new ValueStateDescriptor<>("turnout-over-eligible", Types.BOOLEAN));
    }

    @Override
    public void processElement(InfluxPoint point, Context ctx, Collector<BranchAlert> out) throws Exception {
        if (!TurnoutPoints.CONSTITUENCY.equals(point.measurement()) || alerted.value() != null) return;
        Object ballots = point.field("ballots");
        Object eligible = point.field("eligible");
        if (!(ballots instanceof Long) || !(eligible instanceof Long) || (Long) ballots <= (Long) eligible) return;
        alerted.update(true);
        String election = point.tag("election");
        String constituency = point.tag("constituency");
        BranchAlert alert = Alerts.constituency(election, AlertKind.TURNOUT_OVER_100, constituency, AlertReason.OVER_ELIGIBLE,
                point.timeMillis(), null, ballots + " ballots counted in " + constituency + " at " + Alerts.at(point.timeMillis())
                        + ", but only " + eligible + " eligible voters (" + String.format("%.1f", TurnoutPoints.turnoutPercent((Long) ballots, (Long) eligible)) + "%)");
        alert.setAlertId(AlertIds.of(election, AlertKind.TURNOUT_OVER_100, "constituency:" + constituency, 0L));
        out.collect(alert);
    }
}
