package org.turnoutstream.functions;

import org.turnoutstream.signals.CompositeKey;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.points.InfluxPoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.turnoutstream.functions.ConstituencyConnectivityState.NONE;

/**
 * Keyed by election and constituency ({@link BranchStatusChange#constituencyKey()}): the region view of the
 * branch outages. Counts the constituency's open, up and down branches and raises ONE
 * CONSTITUENCY_DEGRADED alert when more than a share of its open branches are down at once
 * ({@link ConnectivityThresholds}), and one CONSTITUENCY_RECOVERED when it falls back.
 *
 * <p>Changes are buffered and applied when the watermark passes their event time; all changes of one instant
 * are applied before the thresholds are checked, so the alerts do not depend on how the branches' changes
 * interleaved on the way here. A change behind the watermark is applied (and the thresholds checked) at once.
 *
 * <p>On the turnout grid, from the first change on, every instant T the watermark passes gets a
 * {@code constituency_connectivity} point (side output {@link #POINTS}) with the counts as of T and the
 * longest current outage. The points stop, and the state is dropped, when no branch is open any more
 * (all CLOSED, or the end of the election closed them) or the input ends (after the changes still buffered then).
 * In STREAMING each instant has a timer (the changes before it are applied by then: timers fire in time order); BATCH
 * ({@code --execution-mode batch}) ignores timers registered in a timer callback and fires a key's timers at its end
 * with the watermark at Long.MAX_VALUE, so there the points are written in a loop up to the next change. There the end of input is the end of the key, so a constituency whose
 * branches never close gets points up to its own last change only (in STREAMING: up to where the input ends).
 */
public class ConstituencyConnectivity extends KeyedProcessFunction<String, BranchStatusChange, BranchAlert> {
    private static final long serialVersionUID = 1L;
    public static final String MEASUREMENT = "constituency_connectivity";
    public static final OutputTag<InfluxPoint> POINTS = new OutputTag<>("constituency-connectivity-points", TypeInformation.of(InfluxPoint.class));
    private static final long UP = Long.MIN_VALUE;

    private final ElectionCatalog catalog;
    private final TurnoutGrid grid;
    private final ConnectivityThresholds thresholds;

    private transient ValueState<ConstituencyConnectivityState> countsState;
    /** Open branches: UP, or the time their current outage started. */
    private transient MapState<String, Long> branches;
    private transient MapState<Long, List<BranchStatusChange>> pending;
    private transient Counter lateChanges;

    public ConstituencyConnectivity(ElectionCatalog catalog, TurnoutGrid grid, ConnectivityThresholds thresholds) {
        this.catalog = catalog;
        this.grid = grid;
        this.thresholds = thresholds;
    }

    @Override
    public void open(OpenContext openContext) {
        countsState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("constituency-connectivity", TypeInformation.of(ConstituencyConnectivityState.class)));
        branches = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-branches", Types.STRING, Types.LONG));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-changes", Types.LONG,
                Types.LIST(TypeInformation.of(BranchStatusChange.class))));
        lateChanges = getRuntimeContext().getMetricGroup().counter("late_status_changes");
    }

    @Override
    public void processElement(BranchStatusChange change, Context ctx, Collector<BranchAlert> out) throws Exception {
        TimerService timers = ctx.timerService();
        if (change.time > timers.currentWatermark()) {
            List<BranchStatusChange> due = pending.get(change.time);
            if (due == null) due = new ArrayList<>(1);
            due.add(change);
            pending.put(change.time, due);
            timers.registerEventTimeTimer(change.time);
            return;
        }
        lateChanges.inc();
        ConstituencyConnectivityState state = state();
        apply(state, change, timers);
        check(state, change.election, change.constituencyId, change.time, out);
        countsState.update(state);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchAlert> out) throws Exception {
        TimerService timers = ctx.timerService();
        String[] key = splitKey(ctx.getCurrentKey());
        ConstituencyConnectivityState state = countsState.value();
        List<BranchStatusChange> due = pending.get(timestamp);
        if (due != null) {
            // The grid instants before this one first: in STREAMING their timers have written them already (no-op);
            // in BATCH a timer registered in a timer callback is ignored, so the points are written here.
            if (state != null && !writeDuePoints(ctx, key, state, timestamp)) state = null;
            pending.remove(timestamp);
            if (state == null) state = new ConstituencyConnectivityState();
            // Per branch in arrival order (one upstream channel per branch keeps it); branches commute.
            for (BranchStatusChange change : due) apply(state, change, timers);
            check(state, key[0], key[1], timestamp, out);
        }
        if (state == null) return;
        // Points up to this timer's instant: the changes up to it are applied (their timers fire in time order and
        // before this one), the later ones not yet. A point after it that the watermark has passed gets its own timer
        // (below), which fires in this same watermark, after the changes before it: no scan of the pending
        // changes per timer (it made the opening burst quadratic in the constituency's branches). BATCH fires a key's
        // timers at its end with the watermark at Long.MAX_VALUE and ignores timers set here: up to the next change.
        long before = timestamp + 1;
        if (timers.currentWatermark() == Long.MAX_VALUE) {
            before = Long.MAX_VALUE;
            for (Long t : pending.keys()) before = Math.min(before, t);
        }
        if (!writeDuePoints(ctx, key, state, before)) return;
        countsState.update(state);
        // At or before the watermark too: STREAMING fires it in the watermark being processed (BATCH would ignore it).
        if (state.nextInstant != NONE && timers.currentWatermark() != Long.MAX_VALUE) timers.registerEventTimeTimer(state.nextInstant);
    }

    /**
     * Writes the points of the grid instants strictly before {@code before} (the watermark, or a change still to
     * apply), one after the other with the stopping rules. Returns false when the points stopped and the state was dropped.
     */
    private boolean writeDuePoints(OnTimerContext ctx, String[] key, ConstituencyConnectivityState state, long before) throws Exception {
        TimerService timers = ctx.timerService();
        while (state.nextInstant != NONE && state.nextInstant < before) {
            long instant = state.nextInstant;
            writePoint(ctx, key, state, instant);
            // At the end of input the points stop, but only once every buffered change has been applied: a bounded
            // run (or one whose watermark lagged) gets all its changes at once when the watermark jumps to the end.
            boolean endOfInput = timers.currentWatermark() == Long.MAX_VALUE && pending.isEmpty();
            if (endOfInput || (state.open == 0 && pending.isEmpty())) {
                clearAll(timers);
                return false;
            }
            if (state.open == 0) {
                // Nobody open now, but changes are waiting for later instants: the grid restarts with them.
                state.nextInstant = NONE;
                return true;
            }
            state.nextInstant = instant + grid.intervalMillis();
        }
        return true;
    }

    private void apply(ConstituencyConnectivityState state, BranchStatusChange change, TimerService timers) throws Exception {
        if (state.nextInstant == NONE) {
            state.nextInstant = grid.instantFor(change.time);
            if (timers.currentWatermark() != Long.MAX_VALUE) timers.registerEventTimeTimer(state.nextInstant);
        }
        Long current = branches.get(change.branchId);
        switch (change.transition) {
            case OPENED -> {
                if (current == null) {
                    branches.put(change.branchId, UP);
                    state.open++;
                }
            }
            case DOWN -> {
                if (current == null) {
                    state.open++;
                    current = UP;
                }
                if (current == UP) {
                    state.down++;
                    branches.put(change.branchId, change.downSince != null ? change.downSince : change.time);
                }
            }
            case UP -> {
                if (current == null) {
                    state.open++;
                    branches.put(change.branchId, UP);
                } else if (current != UP) {
                    state.down--;
                    branches.put(change.branchId, UP);
                }
            }
            case CLOSED -> {
                if (current != null) {
                    if (current != UP) state.down--;
                    state.open--;
                    branches.remove(change.branchId);
                }
            }
        }
    }

    private void check(ConstituencyConnectivityState state, String election, String constituencyId, long time, Collector<BranchAlert> out) {
        if (!state.degraded && thresholds.degrades(state.open, state.down)) {
            state.degraded = true;
            state.degradedSince = time;
            out.collect(Alerts.constituency(election, AlertKind.CONSTITUENCY_DEGRADED, constituencyId, AlertReason.SHARE_DOWN, time, null,
                    state.down + " of " + state.open + " open branches in " + constituencyId + " down at " + Alerts.at(time)
                            + " (" + percent(state.down, state.open) + ", threshold " + percent(thresholds.degradedShare()) + ")"));
        } else if (state.degraded && thresholds.recovers(state.open, state.down)) {
            state.degraded = false;
            long since = state.degradedSince;
            state.degradedSince = NONE;
            out.collect(Alerts.constituency(election, AlertKind.CONSTITUENCY_RECOVERED, constituencyId, AlertReason.RECOVERED, since, time,
                    constituencyId + " degraded from " + Alerts.at(since) + " to " + Alerts.at(time) + "; now " + state.down + " of "
                            + state.open + " open branches down"));
        }
    }

    private void writePoint(OnTimerContext ctx, String[] key, ConstituencyConnectivityState state, long instant) throws Exception {
        Optional<Constituency> constituency = catalog.election(key[0]).flatMap(e -> e.constituency(key[1]));
        if (constituency.isEmpty()) return; // validation keeps unknown constituencies out; nothing sensible to tag
        long longest = 0;
        if (state.down > 0) { // the open branches are scanned only while some are down
            for (Long since : branches.values()) {
                if (since != UP && since <= instant) longest = Math.max(longest, instant - since);
            }
        }
        ctx.output(POINTS, InfluxPoint.measurement(MEASUREMENT)
                .tag("election", key[0]).tag("province", constituency.get().province()).tag("constituency", key[1])
                .field("branches_open", (long) state.open)
                .field("branches_up", (long) (state.open - state.down))
                .field("branches_down", (long) state.down)
                .field("longest_outage_s", longest / 1000)
                .time(instant)
                .build());
    }

    private void clearAll(TimerService timers) throws Exception {
        List<Long> times = new ArrayList<>();
        for (Long t : pending.keys()) times.add(t);
        for (Long t : times) timers.deleteEventTimeTimer(t);
        pending.clear();
        branches.clear();
        countsState.clear();
    }

    private ConstituencyConnectivityState state() throws Exception {
        ConstituencyConnectivityState state = countsState.value();
        return state != null ? state : new ConstituencyConnectivityState();
    }

    private static String percent(int part, int whole) {
        return whole == 0 ? "0%" : percent((double) part / whole);
    }

    private static String percent(double share) {
        return Math.round(share * 100) + "%";
    }

    private static String[] splitKey(String key) {
        return new String[] {CompositeKey.first(key), CompositeKey.second(key)};
    }
}
