package org.turnoutstream.functions;

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
import org.turnoutstream.schemas.AlertReason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * moves lastHeard forward and changes nothing else.
 *
 * <p>BATCH ({@code --execution-mode batch}) fires a key's timers at its end with the watermark at Long.MAX_VALUE and
 * ignores timers registered in a timer callback. So no outcome depends on such a timer: before a signal is applied, a
 * heartbeat deadline or end of the election that fell due before it is applied first (in STREAMING its timer already
 * did), and whatever falls due up to the watermark with no signal waiting before it is applied in the same callback.
 */
public class BranchOutageDetector extends KeyedProcessFunction<String, BranchSignal, BranchStatusChange> {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT_CLOSED_RETENTION = Duration.ofMinutes(10);

    private final HeartbeatTimeouts timeouts;
    private final long closedRetentionMillis;
    private final PollingHours hours;

    private transient ValueState<BranchOutageState> statusState;
    private transient MapState<Long, List<BranchSignal>> pending;
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

    @Override
    public void open(OpenContext openContext) {
        statusState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("branch-outage", TypeInformation.of(BranchOutageState.class)));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-signals", Types.LONG,
                Types.LIST(TypeInformation.of(BranchSignal.class))));
        var metrics = getRuntimeContext().getMetricGroup();
        lateSignals = metrics.counter("late_signals");
        signalsAfterClose = metrics.counter("signals_after_close");
        outagesStarted = metrics.counter("outages_started");
    }

    @Override
    public void processElement(BranchSignal signal, Context ctx, Collector<BranchStatusChange> out) throws Exception {
        BranchOutageState state = statusState.value();
        if (state != null && state.closed) {
            signalsAfterClose.inc();
            return;
        }
        TimerService timers = ctx.timerService();
        if (signal.heardAt > timers.currentWatermark()) {
            List<BranchSignal> due = pending.get(signal.heardAt);
            if (due == null) due = new ArrayList<>(1);
            due.add(signal);
            pending.put(signal.heardAt, due);
            timers.registerEventTimeTimer(signal.heardAt);
            return;
        }
        lateSignals.inc();
        state = apply(state, signal, true, ctx.getCurrentKey(), timers, out);
        save(state, timers);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchStatusChange> out) throws Exception {
        TimerService timers = ctx.timerService();
        String[] key = splitKey(ctx.getCurrentKey());
        BranchOutageState state = statusState.value();
        List<BranchSignal> due = pending.get(timestamp);
        if (due != null) {
            // What a timer before this instant would have done: in STREAMING it already has (no-op); in BATCH timers
            // registered in a timer callback are ignored, so a deadline armed by an earlier signal is judged here.
            BranchOutageState held = state;
            state = catchUp(state, key, timestamp, timers, out);
            if (held != null && state == null) return; // the end of the election dropped the state and what was pending
            pending.remove(timestamp);
            due.sort(BranchSignal.SAME_TIME_ORDER);
            for (BranchSignal signal : due) {
                if (state != null && state.closed) {
                    signalsAfterClose.inc();
                    continue;
                }
                state = apply(state, signal, false, ctx.getCurrentKey(), timers, out);
            }
        }
        if (state == null) return;
        // Every deadline or cleanup the watermark has passed, unless a signal heard at or before it is still waiting.
        long watermark = timers.currentWatermark();
        long before = watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark + 1;
        for (Long t : pending.keys()) before = Math.min(before, t);
        state = catchUp(state, key, before, timers, out);
        if (state == null) return;
        moveDeadlineTimer(state, timestamp, timers);
        save(state, timers);
    }

    /**
     * Applies the heartbeat deadline and the cleanup that fall strictly before {@code before}, in time order, as their
     * timers would. Returns the state, or null when the cleanup dropped it (with the signals still pending).
     */
    private BranchOutageState catchUp(BranchOutageState state, String[] key, long before, TimerService timers,
                                      Collector<BranchStatusChange> out) throws Exception {
        if (state == null) return null;
        long deadline = state.deadline;
        if (!state.closed && state.up && deadline != NONE && deadline < before
                && (state.cleanupAt == NONE || deadline <= state.cleanupAt)) {
            disarmDeadline(state, timers);
            goDown(state, key, deadline, state.lastHeard, AlertReason.HEARTBEAT_TIMEOUT, out);
        }
        if (state.cleanupAt != NONE && state.cleanupAt < before) {
            if (!state.closed) close(state, key, state.cleanupAt, out);
            clearAll(state, timers);
            return null;
        }
        return state;
    }

    private BranchOutageState apply(BranchOutageState state, BranchSignal signal, boolean late, String key, TimerService timers,
                                    Collector<BranchStatusChange> out) throws Exception {
        String[] ids = {signal.election, signal.branchId};
        long t = signal.heardAt;
        if (state == null) {
            state = new BranchOutageState();
            state.constituencyId = signal.constituencyId;
            state.lastHeard = t;
            state.lastChange = t;
            OptionalLong end = hours.endOf(signal.election);
            if (end.isPresent()) {
                state.cleanupAt = end.getAsLong();
                schedule(timers, state.cleanupAt);
            }
            out.collect(new BranchStatusChange(ids[0], ids[1], state.constituencyId, t, BranchStatusChange.Transition.OPENED,
                    true, true, null, null));
        }
        if (signal.link != null) state.link = signal.link;
        boolean stale = late && t < state.lastChange;
        switch (signal.kind) {
            case OPENED, HEARTBEAT, LINK_UP, REPORT -> {
                state.lastHeard = Math.max(state.lastHeard, t);
                if (!state.up && !stale) {
                    long since = state.downSince;
                    state.up = true;
                    state.downSince = NONE;
                    state.downReason = null;
                    state.lastChange = t;
                    out.collect(new BranchStatusChange(ids[0], ids[1], state.constituencyId, t, BranchStatusChange.Transition.UP,
                            true, true, since, upReason(signal.kind)));
                }
                if (state.up) armDeadline(state, timers);
            }
            case LINK_DOWN -> {
                // Down since the branch says so, but not before the centre last heard from it nor after now.
                long since = Math.min(t, Math.max(state.lastHeard, signal.eventTime));
                state.lastHeard = Math.max(state.lastHeard, t);
                if (state.up && !stale) {
                    disarmDeadline(state, timers);
                    goDown(state, ids, t, since, AlertReason.LINK_DOWN, out);
                } else if (state.up) {
                    armDeadline(state, timers);
                }
            }
            case CLOSED -> {
                if (!stale) {
                    close(state, ids, t, out);
                    disarmDeadline(state, timers);
                    dropPending(timers);
                    long endTimer = state.cleanupAt;
                    state.cleanupAt = NONE;
                    if (endTimer != NONE) deleteTimer(endTimer, state, timers);
                    state.cleanupAt = t + closedRetentionMillis;
                    schedule(timers, state.cleanupAt);
                }
            }
        }
        return state;
    }

    private void goDown(BranchOutageState state, String[] ids, long time, long since, AlertReason reason, Collector<BranchStatusChange> out) {
        state.up = false;
        state.downSince = since;
        state.downReason = reason;
        state.lastChange = time;
        outagesStarted.inc();
        out.collect(new BranchStatusChange(ids[0], ids[1], state.constituencyId, time, BranchStatusChange.Transition.DOWN,
                false, true, since, reason));
    }

    private void close(BranchOutageState state, String[] ids, long time, Collector<BranchStatusChange> out) {
        Long endedOutage = state.up ? null : state.downSince;
        state.closed = true;
        state.up = false;
        state.downSince = NONE;
        state.lastChange = time;
        out.collect(new BranchStatusChange(ids[0], ids[1], state.constituencyId, time, BranchStatusChange.Transition.CLOSED,
                false, false, endedOutage, AlertReason.CLOSED));
    }

    private void armDeadline(BranchOutageState state, TimerService timers) throws Exception {
        long deadline = state.lastHeard + timeouts.millisFor(state.link);
        state.deadline = deadline;
        if (state.deadlineTimer != NONE && state.deadlineTimer <= deadline) return; // it fires first, then moves on
        long earlier = state.deadlineTimer;
        state.deadlineTimer = deadline;
        if (earlier != NONE) deleteTimer(earlier, state, timers);
        schedule(timers, deadline);
    }

    /** The deadline timer fired before the deadline (heartbeats moved it on): it moves to the deadline. */
    private void moveDeadlineTimer(BranchOutageState state, long firedAt, TimerService timers) {
        if (state.deadlineTimer != firedAt) return;
        state.deadlineTimer = NONE;
        if (state.deadline != NONE && state.deadline > firedAt) {
            state.deadlineTimer = state.deadline;
            schedule(timers, state.deadline);
        }
    }

    private void disarmDeadline(BranchOutageState state, TimerService timers) throws Exception {
        state.deadline = NONE;
        if (state.deadlineTimer == NONE) return;
        long timer = state.deadlineTimer;
        state.deadlineTimer = NONE;
        deleteTimer(timer, state, timers);
    }

    /** Deletes the timer at {@code t} unless something else still needs it (timers are one per key and instant). */
    private void deleteTimer(long t, BranchOutageState state, TimerService timers) throws Exception {
        if (t == state.deadlineTimer || t == state.cleanupAt || pending.contains(t)) return;
        timers.deleteEventTimeTimer(t);
    }

    private void dropPending(TimerService timers) throws Exception {
        List<Long> times = new ArrayList<>();
        for (Long t : pending.keys()) times.add(t);
        pending.clear();
        for (Long t : times) timers.deleteEventTimeTimer(t);
    }

    private void clearAll(BranchOutageState state, TimerService timers) throws Exception {
        dropPending(timers);
        if (state.deadlineTimer != NONE) timers.deleteEventTimeTimer(state.deadlineTimer);
        if (state.cleanupAt != NONE) timers.deleteEventTimeTimer(state.cleanupAt);
        statusState.clear();
    }

    private void save(BranchOutageState state, TimerService timers) throws Exception {
        if (state == null) return;
        if (state.closed && state.cleanupAt <= timers.currentWatermark()) {
            clearAll(state, timers); // retention 0, or a late CLOSED whose retention already passed
            return;
        }
        statusState.update(state);
    }

    /**
     * Registers a timer, except once the watermark is at its end (the end of a BATCH key, or of a bounded input):
     * BATCH ignores such timers, and {@link #catchUp} applies whatever falls due then in the same callback.
     */
    private static void schedule(TimerService timers, long time) {
        if (timers.currentWatermark() != Long.MAX_VALUE) timers.registerEventTimeTimer(time);
    }

    private static AlertReason upReason(BranchSignal.Kind kind) {
        return switch (kind) {
            case LINK_UP -> AlertReason.LINK_UP;
            case REPORT -> AlertReason.REPORT;
            default -> AlertReason.HEARTBEAT;
        };
    }

    private static String[] splitKey(String key) {
        int at = key.indexOf('\u001f');
        return new String[] {key.substring(0, at), key.substring(at + 1)};
    }
}
