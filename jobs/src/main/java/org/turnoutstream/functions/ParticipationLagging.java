package org.turnoutstream.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;

import java.time.Duration;
import java.util.Locale;

/**
 * Keyed by election and constituency ({@link TurnoutOverEligible#keyOf}), on the constituency points that carry
 * {@link ParticipationFields#VS_BASELINE}: PARTICIPATION_LAGGING (BEHIND_BASELINE) when the constituency has been more
 * than {@code points} percentage points behind its baseline at every point for {@code forAtLeast} (startedAt: the first
 * instant of that run), and PARTICIPATION_CAUGHT_UP (CAUGHT_UP, endedAt: the first instant it is no longer that far
 * behind) when it catches up after one. Once per episode: the id is derived from (election, kind, constituency, the run's
 * first instant), the same in a replay.
 *
 * <p>It judges each instant's point as first written, in the order of the instants; a point the tally writes again for an
 * instant already judged (a late report's correction) changes the published series, not an alert already decided.
 */
public class ParticipationLagging extends KeyedProcessFunction<String, InfluxPoint, BranchAlert> {
    private static final long serialVersionUID = 1L;

    private final double points;
    private final long forMillis;

    private transient ValueState<LagEpisode> episodes;

    public ParticipationLagging(double points, Duration forAtLeast) {
        if (!(points >= 0)) throw new IllegalArgumentException("the lag threshold must be >= 0 points: " + points);
        if (forAtLeast.isNegative()) throw new IllegalArgumentException("the lag duration must not be negative: " + forAtLeast);
        this.points = points;
        this.forMillis = forAtLeast.toMillis();
    }

    /** Only constituency points compared with a baseline are judged. */
    public static boolean judged(InfluxPoint point) {
        return TurnoutPoints.CONSTITUENCY.equals(point.measurement()) && point.field(ParticipationFields.VS_BASELINE) instanceof Double;
    }

    @Override
    public void open(OpenContext openContext) {
        episodes = getRuntimeContext().getState(new ValueStateDescriptor<>("participation-lag", TypeInformation.of(LagEpisode.class)));
    }

    @Override
    public void processElement(InfluxPoint point, Context ctx, Collector<BranchAlert> out) throws Exception {
        if (!judged(point)) return;
        LagEpisode episode = episodes.value();
        if (episode == null) episode = new LagEpisode();
        long instant = point.timeMillis();
        if (instant <= episode.lastInstant) return; // a rewrite of an instant already judged
        episode.lastInstant = instant;
        double vs = (Double) point.field(ParticipationFields.VS_BASELINE);
        if (vs < -points) {
            if (episode.behindSince == LagEpisode.NONE) episode.behindSince = instant;
            if (!episode.raised && instant - episode.behindSince >= forMillis) {
                out.collect(alert(point, AlertKind.PARTICIPATION_LAGGING, AlertReason.BEHIND_BASELINE, episode.behindSince, null, vs));
                episode.raised = true;
            }
        } else {
            if (episode.raised) {
                out.collect(alert(point, AlertKind.PARTICIPATION_CAUGHT_UP, AlertReason.CAUGHT_UP, episode.behindSince, instant, vs));
            }
            episode.raised = false;
            episode.behindSince = LagEpisode.NONE;
        }
        episodes.update(episode);
    }

    private BranchAlert alert(InfluxPoint point, AlertKind kind, AlertReason reason, long since, Long endedAt, double vs) {
        String election = point.tag("election");
        String constituency = point.tag("constituency");
        double today = point.field("turnout_pct") instanceof Double d ? d : Double.NaN;
        double baseline = point.field(ParticipationFields.BASELINE) instanceof Double d ? d : Double.NaN;
        String detail = endedAt == null
                ? String.format(Locale.ROOT, "turnout in %s has been more than %s points behind its baseline since %s: %.2f %% against %.2f %% at %s (%+.2f points)",
                        constituency, fmt(points), Alerts.at(since), today, baseline, Alerts.at(point.timeMillis()), vs)
                : String.format(Locale.ROOT, "turnout in %s is back within %s points of its baseline at %s: %.2f %% against %.2f %% (%+.2f points); behind since %s",
                        constituency, fmt(points), Alerts.at(endedAt), today, baseline, vs, Alerts.at(since));
        return Alerts.constituency(election, kind, constituency, reason, since, endedAt, detail);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
