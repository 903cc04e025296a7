package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;

import java.time.Duration;
import java.util.OptionalLong;

import static org.turnoutstream.functions.IntegrityState.NONE;

/**
 * Keyed by election and branch ({@link BranchSignal#branchKey()}), on the same union of reports and
 * connectivity events as {@link BranchOutageDetector} (it needs the branch's CLOSED): warnings for HQ about
 * a branch's reports. They never change how ballots are counted.
 *
 * <ul>
 *   <li>COUNT_REGRESSION (COUNT_DECREASED): a report has fewer ballots than a report with a lower sequence.
 *       Reports are compared by sequence, whatever their arrival order; a report that only turns out to be a
 *       regression when an older sequence arrives late is flagged then. One alert per regressing report.</li>
 *   <li>IMPLAUSIBLE_RATE (RATE_TOO_HIGH): between two consecutive reports by sequence the count grew faster than
 *       {@link IntegrityRules} allows; startedAt/endedAt are the two reports' times. One alert per later report.</li>
 *   <li>REPORTS_AFTER_CLOSE (AFTER_CLOSE): a report whose event time is after the branch's own CLOSED, whichever
 *       arrived first. (The official polls-close time is not used: voting hours are often extended.)</li>
 *   <li>CLOCK_SKEW (CLOCK_AHEAD): a signal of the branch (report or connectivity event) dated further ahead of the time
 *       the centre heard it than {@code --max-clock-skew} ({@link BranchSignal#aheadBy}); it counts at its heard time.
 *       One alert per episode: the episode ends at the branch's next report or CLOSED dated within the skew (its
 *       heartbeats are not shuffled here unless skewed). startedAt is the heard time of the episode's first signal.</li>
 * </ul>
 *
 * <p>Ids are derived from (election, kind, branch, report time, sequence), so the same reports give the same ids
 * in every run. Duplicates (a sequence already seen) and reports older than the kept window (the newest
 * {@value IntegrityState#CAPACITY} sequences) are not judged. The state is dropped
 * {@link IntegrityRules#closedRetentionMillis()} after CLOSED, or at the end of the election ({@link PollingHours}).
 *
 * <p>Determinism: like {@link BranchOutageDetector}, reports and CLOSED are buffered by the time the centre heard them
 * and judged when the watermark passes it, in that order and, within one millisecond, in
 * {@link BranchSignal#SAME_TIME_ORDER} (a gateway delivering the reports it buffered during an outage sends them in one
 * millisecond). So the alerts do not depend on the arrival order within the watermark's bound, nor on the execution
 * mode: BATCH sorts a key's records by timestamp but leaves records of the same timestamp in no particular order. A
 * report behind the watermark is judged at once.
 */
public class IntegrityChecks extends KeyedProcessFunction<String, BranchSignal, BranchAlert> {
    private static final long serialVersionUID = 1L;

    private final IntegrityRules rules;
    private final PollingHours hours;

    private transient ValueState<IntegrityState> trailState;
    private transient Counter alerts;
    private transient Counter beforeTrail;

    public IntegrityChecks(IntegrityRules rules, PollingHours hours) {
        this.rules = rules;
        this.hours = hours;
    }

    @Override
    public void open(OpenContext openContext) {
        bind(getRuntimeContext().getState(new ValueStateDescriptor<>("integrity-trail", TypeInformation.of(IntegrityState.class))),
                getRuntimeContext().getMetricGroup());
    }

    /**
     * Where the branch's trail lives and where the counters go: its own keyed state, or a part of
     * {@link BranchWorkFunction}'s (which then keeps the key's one timer at {@link IntegrityState#timerAt}).
     */
    void bind(ValueState<IntegrityState> state, MetricGroup metrics) {
        trailState = state;
        alerts = metrics.counter("integrity_alerts");
        beforeTrail = metrics.counter("integrity_reports_before_trail");
    }

    @Override
    public void processElement(BranchSignal signal, Context ctx, Collector<BranchAlert> out) throws Exception {
        onSignal(signal, ctx.timerService(), out);
    }

    /** Judges (or buffers) a report or CLOSED; ignores other signals. */
    void onSignal(BranchSignal signal, TimerService timers, Collector<BranchAlert> out) throws Exception {
        if (!judged(signal)) return;
        IntegrityState state = trailState.value();
        if (state == null) state = new IntegrityState();
        long watermark = timers.currentWatermark();
        if (signal.heardAt > watermark) {
            if (state.constituencyId == null) state.constituencyId = signal.constituencyId();
            state.pending().add(signal);
        } else {
            judge(state, signal, BranchIds.ofSignal(signal), out);
            if (state.started && state.cleanupAt != NONE && state.cleanupAt <= watermark) state.resetTrail();
        }
        save(state, timers);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchAlert> out) throws Exception {
        onTimer(timestamp, ctx.timerService(), BranchIds.ofKey(ctx.getCurrentKey()), out);
    }

    /** The signals it judges: reports, CLOSED, and any signal whose branch clock read ahead of its heard time. */
    public static boolean judged(BranchSignal signal) {
        return judged(signal.kind) || signal.aheadBy > 0;
    }

    /** The kinds of signal it judges whatever their clock: reports and CLOSED. */
    public static boolean judged(BranchSignal.Kind kind) {
        return kind == BranchSignal.Kind.REPORT || kind == BranchSignal.Kind.CLOSED;
    }

    void onTimer(long timestamp, TimerService timers, BranchIds ids, Collector<BranchAlert> out) throws Exception {
        IntegrityState state = trailState.value();
        if (state == null) return;
        if (state.timerAt == timestamp) state.timerAt = NONE;
        long watermark = timers.currentWatermark();
        PendingSignals pending = state.pending();
        int judged = 0;
        while (judged < pending.size && pending.heardAt(judged) <= watermark) {
            long t = pending.heardAt(judged);
            // A cleanup due before these reports drops the trail first (they start a new one).
            if (state.started && state.cleanupAt != NONE && state.cleanupAt < t) state.resetTrail();
            for (; judged < pending.size && pending.heardAt(judged) == t; judged++) {
                // the ids are read (from the catalog, a cache miss each) only for an alert
                judge(state, pending.get(judged, null, null, state.constituencyId), ids, out);
            }
        }
        pending.removeFirst(judged);
        if (state.started && state.cleanupAt != NONE && state.cleanupAt <= watermark) state.resetTrail();
        save(state, timers);
    }

    /** Keeps the state, or drops it when there is neither a trail nor anything pending; the timer at the next moment due. */
    private void save(IntegrityState state, TimerService timers) throws Exception {
        if (!state.started && state.pending().isEmpty()) {
            if (state.timerAt != NONE) timers.deleteEventTimeTimer(state.timerAt);
            trailState.clear();
            return;
        }
        long at = Long.MAX_VALUE;
        if (!state.pending().isEmpty()) at = state.pending().firstHeardAt();
        if (state.started && state.cleanupAt != NONE) at = Math.min(at, state.cleanupAt);
        // Not once the watermark is at its end (the end of a BATCH key or of a bounded input): BATCH ignores such a
        // timer, and onTimer applies everything due then in the same callback.
        if (at != Long.MAX_VALUE && timers.currentWatermark() != Long.MAX_VALUE && (state.timerAt == NONE || at < state.timerAt)) {
            if (state.timerAt != NONE) timers.deleteEventTimeTimer(state.timerAt);
            timers.registerEventTimeTimer(at);
            state.timerAt = at;
        }
        trailState.update(state);
    }

    /** Judges a report or CLOSED of the branch {@code ids} names (its ids are read only for an alert). */
    private void judge(IntegrityState state, BranchSignal signal, BranchIds ids, Collector<BranchAlert> out) {
        if (!state.started) {
            state.started = true;
            state.constituencyId = signal.constituencyId();
            OptionalLong end = hours.endOf(ids.election());
            if (end.isPresent()) state.cleanupAt = end.getAsLong();
        }
        clock(state, signal, ids, out);
        if (signal.kind == BranchSignal.Kind.REPORT) report(state, signal, ids, out);
        else if (signal.kind == BranchSignal.Kind.CLOSED) close(state, signal, ids, out);
    }

    /** CLOCK_SKEW at the first signal of an episode whose clock reads ahead; a signal within the skew ends the episode. */
    private void clock(IntegrityState state, BranchSignal signal, BranchIds ids, Collector<BranchAlert> out) {
        if (signal.aheadBy <= 0) {
            state.clockAhead = false;
            return;
        }
        if (state.clockAhead) return;
        state.clockAhead = true;
        emit(out, Alerts.branch(ids.election(), AlertKind.CLOCK_SKEW, ids.branchId(), state.constituencyId, AlertReason.CLOCK_AHEAD,
                signal.heardAt, null, "the branch's clock reads " + Duration.ofMillis(signal.aheadBy).toString().substring(2).toLowerCase()
                        + " ahead of the centre's: its " + signal.kind + " dated " + Alerts.at(signal.heardAt + signal.aheadBy)
                        + " was heard at " + Alerts.at(signal.heardAt) + " and counts at that time; so do its later signals until"
                        + " its clock is right again"));
    }

    private void report(IntegrityState state, BranchSignal r, BranchIds ids, Collector<BranchAlert> out) {
        int found = state.indexOf(r.sequence);
        if (found >= 0) return; // a duplicate
        if (r.sequence <= state.floorSequence) {
            beforeTrail.inc();
            return;
        }
        int i = -found - 1;
        state.insert(i, r.sequence, r.ballotsCast, r.eventTime);

        // COUNT_REGRESSION of this report against every lower sequence ...
        long maxBefore = state.floorMaxBallots;
        int maxAt = -1; // the report below with the most ballots; -1: one already compacted away
        for (int j = 0; j < i; j++) {
            if (state.ballots[j] > maxBefore) {
                maxBefore = state.ballots[j];
                maxAt = j;
            }
        }
        if (maxBefore > r.ballotsCast) {
            String before = maxAt < 0 ? "an earlier report had " + maxBefore : "sequence " + state.sequences[maxAt] + " had " + maxBefore;
            regression(state, ids, i, before, out);
        }
        // ... and of higher sequences that only now turn out to be below this one.
        for (int j = i + 1; j < state.size; j++) {
            if (state.ballots[j] < r.ballotsCast) {
                regression(state, ids, j, "sequence " + r.sequence + " had " + r.ballotsCast, out);
            }
        }
        if (i > 0) rate(state, ids, i - 1, i, out);
        if (i + 1 < state.size) rate(state, ids, i, i + 1, out);
        if (state.closedAt != NONE) afterClose(state, ids, i, out);
        state.compact(rules.trailHorizonMillis());
    }

    private void close(IntegrityState state, BranchSignal closed, BranchIds ids, Collector<BranchAlert> out) {
        if (state.closedAt != NONE && state.closedAt <= closed.eventTime) return;
        state.closedAt = closed.eventTime;
        for (int j = 0; j < state.size; j++) afterClose(state, ids, j, out);
        long forget = closed.eventTime + rules.closedRetentionMillis();
        if (state.cleanupAt == NONE || forget < state.cleanupAt) state.cleanupAt = forget;
    }

    private void regression(IntegrityState state, BranchIds ids, int j, String before, Collector<BranchAlert> out) {
        if ((state.flags[j] & IntegrityState.REGRESSION) != 0) return;
        state.flags[j] |= IntegrityState.REGRESSION;
        emit(out, Alerts.branch(ids.election(), AlertKind.COUNT_REGRESSION, ids.branchId(), state.constituencyId, AlertReason.COUNT_DECREASED,
                state.times[j], null, "sequence " + state.sequences[j] + " reports " + state.ballots[j] + " ballots at "
                        + Alerts.at(state.times[j]) + ", but " + before, state.sequences[j]));
    }

    private void rate(IntegrityState state, BranchIds ids, int a, int b, Collector<BranchAlert> out) {
        if ((state.flags[b] & IntegrityState.RATE) != 0) return;
        long added = state.ballots[b] - state.ballots[a];
        long millis = state.times[b] - state.times[a];
        if (added <= 0 || !rules.implausible(added, millis)) return;
        state.flags[b] |= IntegrityState.RATE;
        String perMinute = millis > 0 ? String.format("%.1f", added * 60_000.0 / millis) : "unbounded";
        emit(out, Alerts.branch(ids.election(), AlertKind.IMPLAUSIBLE_RATE, ids.branchId(), state.constituencyId, AlertReason.RATE_TOO_HIGH,
                Math.min(state.times[a], state.times[b]), Math.max(state.times[a], state.times[b]),
                "+" + added + " ballots in " + millis / 1000 + " s between sequences " + state.sequences[a] + " and " + state.sequences[b]
                        + " (" + perMinute + "/min; a branch takes at most " + rules.maxBallotsPerMinute() + "/min + "
                        + rules.burstAllowance() + ")", state.sequences[b]));
    }

    private void afterClose(IntegrityState state, BranchIds ids, int j, Collector<BranchAlert> out) {
        if (state.times[j] <= state.closedAt || (state.flags[j] & IntegrityState.AFTER_CLOSE) != 0) return;
        state.flags[j] |= IntegrityState.AFTER_CLOSE;
        emit(out, Alerts.branch(ids.election(), AlertKind.REPORTS_AFTER_CLOSE, ids.branchId(), state.constituencyId, AlertReason.AFTER_CLOSE,
                state.times[j], null, "sequence " + state.sequences[j] + " (" + state.ballots[j] + " ballots) at " + Alerts.at(state.times[j])
                        + ", after the branch closed at " + Alerts.at(state.closedAt), state.sequences[j]));
    }

    private void emit(Collector<BranchAlert> out, BranchAlert alert) {
        alerts.inc();
        out.collect(alert);
    }
}
