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
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

import java.time.Duration;
import java.util.OptionalLong;

import static org.turnoutstream.functions.BranchOutageState.NONE;

/**
 * Keyed by election and branch ({@link BranchSignal#branchKey()}): decides when a branch is down and emits
 * every change as a {@link BranchStatusChange}.
 *
 * <p>Its timeline is when the centre HEARD each signal ({@link BranchSignal#heardAt}, the Kafka record
 * timestamp), not the branch's own clock: an outage is the centre losing the branch. A gateway that buffers
 * its reports during an outage and delivers them on recovery proves nothing about the link at their event
 * times; they are heard at the recovery. The event-time watermark is the one of the Kafka record timestamps,
 * assigned per partition at the source, so a replay of the same records gives the same changes.
 *
 * <ul>
 *   <li>A branch is open (expected online) from OPENED or its first signal until CLOSED.</li>
 *   <li>It goes DOWN when a LINK_DOWN is heard (down since the time the branch gives, but not before the centre
 *       last heard from it), or when nothing was heard from it for longer
 *       than its heartbeat timeout ({@link HeartbeatTimeouts}, by the last link type it reported): down since
 *       the last time it was heard, detected at lastHeard + timeout when the watermark passes that instant.
 *       A signal at exactly lastHeard + timeout is in time. This needs no event from the branch itself: the
 *       watermark of the other branches moves it.</li>
 *   <li>It comes UP again with a heartbeat, LINK_UP, OPENED or a report.</li>
 *   <li>CLOSED ends an open outage (a CLOSED change with the outage's downSince); later signals are ignored
 *       (reports after close are {@link IntegrityChecks}' business). The state stays {@code closedRetention}
 *       longer in event time, to recognise signals that arrive after the close, then everything is dropped.
 *       At the end of the election ({@link PollingHours#endOf}) a branch still open is closed and dropped.</li>
 * </ul>
 *
 * <p>Determinism: signals are buffered by the time they were heard and applied when the watermark passes it, in
 * that order and, within one millisecond, in {@link BranchSignal#SAME_TIME_ORDER}. Any arrival order within the
 * watermark's bound therefore gives exactly the same changes. A signal that arrives behind the watermark is
 * applied at once and counted in {@code late_signals}; if it is older than the branch's last change it only
 * moves lastHeard forward and changes nothing else. A deadline that such a late signal makes due is applied at the
 * next watermark.
 *
 * <p>Cost (the hot path: most signals are heartbeats of branches that are up): the buffer lives in the branch's one
 * ValueState ({@link PendingSignals}) and the key has at most one event-time timer, at the earliest moment something
 * can change: the first buffered signal that would emit a change (any while the branch is down or not opened yet; a
 * LINK_DOWN or CLOSED while up; one over another link, whose timeout may be shorter), the heartbeat deadline, or the
 * cleanup. An in-order heartbeat of an up branch is an
 * append to the buffer and registers nothing (the buffered heartbeats the watermark has passed are applied first: they
 * only move lastHeard); when the timer fires, everything the watermark passed is applied in order and the timer moves
 * to the next such moment.
 *
 * <p>BATCH ({@code --execution-mode batch}) fires a key's timers at its end with the watermark at Long.MAX_VALUE and
 * ignores timers registered in a timer callback. So no outcome depends on such a timer: before a signal is applied, a
 * heartbeat deadline or end of the election that fell due before it is applied first (in STREAMING its timer already
 * did), and whatever falls due up to the watermark with no signal waiting before it is applied in the same callback.
 */
public class BranchOutageDetector extends KeyedProcessFunction<String, BranchSignal, BranchStatusChange>
        implements WatermarkKeepingOperator.KeepsWatermark {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT_CLOSED_RETENTION = Duration.ofMinutes(10);

    private final HeartbeatTimeouts timeouts;
    private final long closedRetentionMillis;
    private final PollingHours hours;

    /** The watermark of the checkpoint this subtask was restored from (see {@link #operator}). */
    private long restoredWatermark = Long.MIN_VALUE;

    private transient ValueState<BranchOutageState> statusState;
    private transient Counter lateSignals;
    private transient Counter signalsAfterClose;
    private transient Counter outagesStarted;

    public BranchOutageDetector(HeartbeatTimeouts timeouts) {
        this(timeouts, DEFAULT_CLOSED_RETENTION, PollingHours.none());
    }

    public BranchOutageDetector(HeartbeatTimeouts timeouts, Duration closedRetention, PollingHours hours) {
        if (closedRetention.isNegative()) throw new IllegalArgumentException("closed retention must not be negative");
        this.timeouts = timeouts;
        this.closedRetentionMillis = closedRetention.toMillis();
        this.hours = hours;
    }

    /**
     * The operator to run it in: buffered heartbeats the watermark passed are applied lazily, so the watermark must survive a
     * restore for a restarted job to give the same changes ({@link WatermarkKeepingOperator}).
     */
    public WatermarkKeepingOperator<String, BranchSignal, BranchStatusChange> operator() {
        return new WatermarkKeepingOperator<>(this);
    }

    @Override
    public void restoreWatermark(long watermark) {
        restoredWatermark = watermark;
    }

    /** The watermark, not below the one the subtask was restored at. */
    private long watermark(TimerService timers) {
        return Math.max(timers.currentWatermark(), restoredWatermark);
    }

    @Override
    public void open(OpenContext openContext) {
        bind(getRuntimeContext().getState(new ValueStateDescriptor<>("branch-outage", TypeInformation.of(BranchOutageState.class))),
                getRuntimeContext().getMetricGroup());
    }

    /**
     * Where the branch's state lives and where the counters go: its own keyed state, or a part of
     * {@link BranchWorkFunction}'s (which then keeps the key's one timer at {@link BranchOutageState#timerAt}).
     */
    void bind(ValueState<BranchOutageState> state, MetricGroup metrics) {
        statusState = state;
        lateSignals = metrics.counter("late_signals");
        signalsAfterClose = metrics.counter("signals_after_close");
        outagesStarted = metrics.counter("outages_started");
    }

    @Override
    public void processElement(BranchSignal signal, Context ctx, Collector<BranchStatusChange> out) throws Exception {
        onSignal(signal, ctx.timerService(), BranchIds.ofKey(ctx.getCurrentKey()), out);
    }

    void onSignal(BranchSignal signal, TimerService timers, BranchIds ids, Collector<BranchStatusChange> out) throws Exception {
        BranchOutageState state = statusState.value();
        if (state != null && state.closed) {
            signalsAfterClose.inc();
            return;
        }
        long watermark = watermark(timers);
        if (state == null) state = newState(signal.constituencyId());
        // Buffered signals the watermark passed without a timer (an up branch's heartbeats: they change nothing but the
        // deadline) are applied now, as they would have been when it passed them, so the buffer holds only signals within
        // the watermark's bound. Deadlines after them are left to the timer: a signal may still move them.
        if (!state.pending().isEmpty() && state.pending().firstHeardAt() <= watermark) {
            state = applyDue(state, ids, watermark, false, timers, out);
            if (state == null) state = newState(signal.constituencyId());
        }
        if (signal.heardAt > watermark) {
            // Not opened yet: the branch's changes name the constituency its first signal (in heard order) gave.
            if (state.pending().add(signal) == 0 && !state.started) state.constituencyId = signal.constituencyId();
            wakeUp(state, timers);
            statusState.update(state);
            return;
        }
        lateSignals.inc();
        if (state.closed) {
            signalsAfterClose.inc();
        } else {
            if (!state.started) state.constituencyId = signal.constituencyId();
            apply(state, signal.kind, signal.link, signal.heardAt, signal.eventTime, true, ids, out);
            if (state.closed) state.pending().clear();
        }
        save(state, timers);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchStatusChange> out) throws Exception {
        onTimer(timestamp, ctx.timerService(), BranchIds.ofKey(ctx.getCurrentKey()), out);
    }

    void onTimer(long timestamp, TimerService timers, BranchIds ids, Collector<BranchStatusChange> out) throws Exception {
        BranchOutageState state = statusState.value();
        if (state == null) return;
        if (state.timerAt == timestamp) state.timerAt = NONE;
        // Everything the watermark has passed, in time order: buffered signals, the deadline, the cleanup.
        state = applyDue(state, ids, watermark(timers), true, timers, out);
        if (state != null) save(state, timers);
    }

    /**
     * Applies, in time order, the buffered signals heard at or before {@code watermark} and, before each, the deadline or
     * cleanup due before it; with {@code toWatermark}, also those due up to the watermark. Returns the state, or null when
     * the cleanup dropped it (with whatever was still buffered).
     */
    private BranchOutageState applyDue(BranchOutageState state, BranchIds ids, long watermark, boolean toWatermark, TimerService timers,
                                       Collector<BranchStatusChange> out) throws Exception {
        PendingSignals pending = state.pending();
        int applied = 0;
        while (true) {
            boolean more = applied < pending.size && pending.heardAt(applied) <= watermark;
            if (more || toWatermark) {
                long before = more ? pending.heardAt(applied) : watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark + 1;
                if (!catchUp(state, ids, before, out)) {
                    clearAll(state, timers);
                    return null;
                }
            }
            if (!more) break;
            long t = pending.heardAt(applied);
            for (; applied < pending.size && pending.heardAt(applied) == t; applied++) {
                if (state.closed) {
                    signalsAfterClose.inc();
                    continue;
                }
                apply(state, pending.kind(applied), pending.link(applied), t, pending.eventTime(applied), false, ids, out);
            }
            if (state.closed) {
                pending.clear(); // what was heard after the close is ignored
                applied = 0;
            }
        }
        pending.removeFirst(applied);
        return state;
    }

    /**
     * Applies the heartbeat deadline and the cleanup that fall strictly before {@code before}, in time order. Returns
     * false when the cleanup is due: the caller drops the state.
     */
    private boolean catchUp(BranchOutageState state, BranchIds ids, long before, Collector<BranchStatusChange> out) {
        if (!state.started) return true;
        long deadline = state.deadline;
        if (!state.closed && state.up && deadline != NONE && deadline < before
                && (state.cleanupAt == NONE || deadline <= state.cleanupAt)) {
            state.deadline = NONE;
            goDown(state, ids, deadline, state.lastHeard, AlertReason.HEARTBEAT_TIMEOUT, out);
        }
        if (state.cleanupAt != NONE && state.cleanupAt < before) {
            // still open when the election is over: the polls closed (its own CLOSED would have closed it)
            if (!state.closed) close(state, ids, state.cleanupAt, AlertReason.POLLS_CLOSED, out);
            return false;
        }
        return true;
    }

    private void apply(BranchOutageState state, BranchSignal.Kind kind, LinkType link, long t, long eventTime, boolean late, BranchIds ids,
                       Collector<BranchStatusChange> out) {
        if (!state.started) {
            state.started = true;
            state.lastHeard = t;
            state.lastChange = t;
            OptionalLong end = hours.endOf(ids.election());
            if (end.isPresent()) state.cleanupAt = end.getAsLong();
            out.collect(new BranchStatusChange(ids.election(), ids.branchId(), state.constituencyId, t, BranchStatusChange.Transition.OPENED,
                    true, true, null, null));
        }
        if (link != null) state.link = link;
        boolean stale = late && t < state.lastChange;
        switch (kind) {
            case OPENED, HEARTBEAT, LINK_UP, REPORT -> {
                state.lastHeard = Math.max(state.lastHeard, t);
                if (!state.up && !stale) {
                    long since = state.downSince;
                    state.up = true;
                    state.downSince = NONE;
                    state.downReason = null;
                    state.lastChange = t;
                    out.collect(new BranchStatusChange(ids.election(), ids.branchId(), state.constituencyId, t, BranchStatusChange.Transition.UP,
                            true, true, since, upReason(kind)));
                }
                if (state.up) state.deadline = state.lastHeard + timeouts.millisFor(state.link);
            }
            case LINK_DOWN -> {
                // Down since the branch says so, but not before the centre last heard from it nor after now.
                long since = Math.min(t, Math.max(state.lastHeard, eventTime));
                state.lastHeard = Math.max(state.lastHeard, t);
                if (state.up && !stale) {
                    state.deadline = NONE;
                    goDown(state, ids, t, since, AlertReason.LINK_DOWN, out);
                } else if (state.up) {
                    state.deadline = state.lastHeard + timeouts.millisFor(state.link);
                }
            }
            case CLOSED -> {
                if (!stale) {
                    close(state, ids, t, AlertReason.CLOSED, out);
                    state.deadline = NONE;
                    state.cleanupAt = t + closedRetentionMillis;
                }
            }
        }
    }

    private void goDown(BranchOutageState state, BranchIds ids, long time, long since, AlertReason reason, Collector<BranchStatusChange> out) {
        state.up = false;
        state.downSince = since;
        state.downReason = reason;
        state.lastChange = time;
        outagesStarted.inc();
        out.collect(new BranchStatusChange(ids.election(), ids.branchId(), state.constituencyId, time, BranchStatusChange.Transition.DOWN,
                false, true, since, reason));
    }

    private void close(BranchOutageState state, BranchIds ids, long time, AlertReason reason, Collector<BranchStatusChange> out) {
        Long endedOutage = state.up ? null : state.downSince;
        state.closed = true;
        state.up = false;
        state.downSince = NONE;
        state.lastChange = time;
        out.collect(new BranchStatusChange(ids.election(), ids.branchId(), state.constituencyId, time, BranchStatusChange.Transition.CLOSED,
                false, false, endedOutage, reason));
    }

    /**
     * The earliest moment something can change for this branch: the first buffered signal that would emit (any while
     * it is not opened yet or down; a LINK_DOWN or CLOSED while up) or might bring the deadline forward (one over
     * another link: an alive signal over the same link only moves the deadline later), the heartbeat deadline, the
     * cleanup. Long.MAX_VALUE when nothing is due.
     */
    private static long nextChange(BranchOutageState state) {
        long at = Long.MAX_VALUE;
        PendingSignals pending = state.pending();
        if (!state.started || !state.up) {
            if (!pending.isEmpty()) at = pending.firstHeardAt();
        } else {
            for (int i = 0; i < pending.size; i++) {
                BranchSignal.Kind kind = pending.kind(i);
                LinkType link = pending.link(i);
                // another link may have a shorter timeout: the deadline could come earlier
                if (kind == BranchSignal.Kind.LINK_DOWN || kind == BranchSignal.Kind.CLOSED || (link != null && link != state.link)) {
                    at = pending.heardAt(i);
                    break;
                }
            }
            if (!state.closed && state.deadline != NONE) at = Math.min(at, state.deadline);
        }
        if (state.cleanupAt != NONE) at = Math.min(at, state.cleanupAt);
        return at;
    }

    /**
     * Keeps the key's one timer at or before {@link #nextChange}: registers an earlier one (deleting the later), never a
     * later one (the earlier fires, finds nothing due and moves on). None once the watermark is at its end (the end of a
     * BATCH key, or of a bounded input): BATCH ignores such timers, and {@link #applyDue} applies whatever falls due then.
     */
    private static void wakeUp(BranchOutageState state, TimerService timers) {
        long at = nextChange(state);
        if (at == Long.MAX_VALUE || timers.currentWatermark() == Long.MAX_VALUE) return;
        if (state.timerAt != NONE && state.timerAt <= at) return;
        if (state.timerAt != NONE) timers.deleteEventTimeTimer(state.timerAt);
        timers.registerEventTimeTimer(at);
        state.timerAt = at;
    }

    private void clearAll(BranchOutageState state, TimerService timers) {
        if (state.timerAt != NONE) timers.deleteEventTimeTimer(state.timerAt);
        statusState.clear();
    }

    private void save(BranchOutageState state, TimerService timers) throws Exception {
        if (state.closed && state.cleanupAt <= watermark(timers)) {
            clearAll(state, timers); // retention 0, or a late CLOSED whose retention already passed
            return;
        }
        wakeUp(state, timers);
        statusState.update(state);
    }

    private static BranchOutageState newState(String constituencyId) {
        BranchOutageState state = new BranchOutageState();
        state.constituencyId = constituencyId;
        return state;
    }

    private static AlertReason upReason(BranchSignal.Kind kind) {
        return switch (kind) {
            case LINK_UP -> AlertReason.LINK_UP;
            case REPORT -> AlertReason.REPORT;
            default -> AlertReason.HEARTBEAT;
        };
    }
}
