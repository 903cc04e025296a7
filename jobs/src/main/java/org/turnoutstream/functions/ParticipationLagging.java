package org.turnoutstream.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.signals.CompositeKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keyed by election and constituency ({@link TurnoutOverEligible#keyOf}), on the constituency points that carry
 * {@link ParticipationFields#VS_BASELINE}: PARTICIPATION_LAGGING (BEHIND_BASELINE) when the constituency has been more
 * than {@code points} percentage points behind its baseline at every point for {@code forAtLeast} (startedAt: the first
 * instant of that run), and PARTICIPATION_CAUGHT_UP when the episode ends: reason CAUGHT_UP at the first instant it is no
 * longer that far behind, or POLLS_CLOSED when the election is over for alerting (polls close + grace) while it still
 * is. Once per episode: the id is derived from (election, kind, constituency, the run's first instant), the same in a
 * replay. At the end of the election the constituency's state is dropped.
 *
 * <p>Each instant is judged once, on its point as first written, in the order of the instants: the point waits in state
 * until the watermark passes its instant (an event-time timer), so neither the order in which points arrive (a BATCH run
 * hands a key's points over in any order) nor a later rewrite (a late report's correction changes the published series,
 * not an alert already decided) changes what is decided.
 *
 * <p>A recount ({@code heldBack}: a job started without state while InfluxDB held the election's points up to an instant
 * L; the tally writes the points up to L only at L + horizon) judges nothing before the watermark reaches L + horizon,
 * then every instant in order, those up to L without alerts (the run before it raised them), so an episode running at L
 * goes on with the same first instant, and the same ids.
 */
public class ParticipationLagging extends KeyedProcessFunction<String, InfluxPoint, BranchAlert> {
    private static final long serialVersionUID = 1L;

    private final double points;
    private final long forMillis;
    private final HashMap<String, Long> heldBack;
    private final long horizonMillis;
    private final HashMap<String, Long> ends;

    private transient ValueState<LagEpisode> episodes;
    private transient MapState<Long, InfluxPoint> waiting;

    /**
     * @param heldBack per election in a recount, the last instant the tally holds back ({@code ElectionTally}); its points
     *                 come at that instant plus {@code correctionHorizon}
     * @param ends     per election, when it is over for alerting (polls close + grace)
     */
    public ParticipationLagging(double points, Duration forAtLeast, Map<String, Long> heldBack, Duration correctionHorizon, Map<String, Long> ends) {
        if (!(points >= 0)) throw new IllegalArgumentException("the lag threshold must be >= 0 points: " + points);
        if (forAtLeast.isNegative()) throw new IllegalArgumentException("the lag duration must not be negative: " + forAtLeast);
        this.points = points;
        this.forMillis = forAtLeast.toMillis();
        this.heldBack = new HashMap<>(heldBack);
        this.horizonMillis = correctionHorizon.toMillis();
        this.ends = new HashMap<>(ends);
    }

    /** Only constituency points compared with a baseline are judged. */
    public static boolean judged(InfluxPoint point) {
        return TurnoutPoints.CONSTITUENCY.equals(point.measurement()) && point.field(ParticipationFields.VS_BASELINE) instanceof Double;
    }

    @Override
    public void open(OpenContext openContext) {
        episodes = getRuntimeContext().getState(new ValueStateDescriptor<>("participation-lag", TypeInformation.of(LagEpisode.class)));
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("participation-points", Types.LONG, TypeInformation.of(InfluxPoint.class)));
    }

    @Override
    public void processElement(InfluxPoint point, Context ctx, Collector<BranchAlert> out) throws Exception {
        if (!judged(point)) return;
        String election = point.tag("election");
        Long end = ends.get(election);
        if (end != null && ctx.timerService().currentWatermark() >= end) return; // the election is over for alerting
        long instant = point.timeMillis();
        LagEpisode episode = episodes.value();
        if (episode == null) {
            episode = new LagEpisode();
            Long held = heldBack.get(election);
            if (held != null) {
                episode.silentUpTo = held;
                episode.judgeFrom = held + horizonMillis;
            }
            if (end != null) ctx.timerService().registerEventTimeTimer(end);
            episodes.update(episode);
        }
        if (instant <= episode.lastInstant || waiting.contains(instant)) return; // a rewrite: the first point of an instant decides
        waiting.put(instant, point);
        ctx.timerService().registerEventTimeTimer(Math.max(instant, episode.judgeFrom));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchAlert> out) throws Exception {
        LagEpisode episode = episodes.value();
        if (episode == null) return;
        long watermark = ctx.timerService().currentWatermark();
        if (watermark < episode.judgeFrom) return; // a recount still waiting for the points it holds back
        List<Long> due = new ArrayList<>();
        for (Long instant : waiting.keys()) if (instant <= watermark) due.add(instant);
        due.sort(null);
        for (long instant : due) {
            judge(waiting.get(instant), episode, out);
            waiting.remove(instant);
        }
        Long end = ends.get(CompositeKey.first(ctx.getCurrentKey()));
        if (end != null && watermark >= end) {
            if (episode.raised) out.collect(closed(ctx.getCurrentKey(), episode, end));
            episodes.clear();
            waiting.clear();
            return;
        }
        episodes.update(episode);
    }

    private void judge(InfluxPoint point, LagEpisode episode, Collector<BranchAlert> out) {
        long instant = point.timeMillis();
        episode.lastInstant = instant;
        boolean quiet = instant <= episode.silentUpTo;
        double vs = (Double) point.field(ParticipationFields.VS_BASELINE);
        if (vs < -points) {
            if (episode.behindSince == LagEpisode.NONE) episode.behindSince = instant;
            if (!episode.raised && instant - episode.behindSince >= forMillis) {
                if (!quiet) out.collect(alert(point, AlertKind.PARTICIPATION_LAGGING, AlertReason.BEHIND_BASELINE, episode.behindSince, null, vs));
                episode.raised = true;
            }
        } else {
            if (episode.raised && !quiet) {
                out.collect(alert(point, AlertKind.PARTICIPATION_CAUGHT_UP, AlertReason.CAUGHT_UP, episode.behindSince, instant, vs));
            }
            episode.raised = false;
            episode.behindSince = LagEpisode.NONE;
        }
    }

    private BranchAlert closed(String key, LagEpisode episode, long end) {
        String election = CompositeKey.first(key);
        String constituency = CompositeKey.second(key);
        return Alerts.constituency(election, AlertKind.PARTICIPATION_CAUGHT_UP, constituency, AlertReason.POLLS_CLOSED, episode.behindSince, end,
                String.format(Locale.ROOT, "the election is over for alerting at %s (polls close + grace); turnout in %s was still more than %s"
                        + " points behind its baseline, since %s", Alerts.at(end), constituency, fmt(points), Alerts.at(episode.behindSince)));
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
