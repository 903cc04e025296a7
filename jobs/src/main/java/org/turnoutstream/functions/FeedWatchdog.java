package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * A processing-time watchdog over a whole feed, keyed by election: when no event at all has arrived for
 * {@code silentAfter} of wall-clock time it emits one {@link AlertKind#FEED_SILENT} alert (reason
 * {@link AlertReason#NO_EVENTS}), and one {@link AlertKind#FEED_RESUMED} (reason {@link AlertReason#RECOVERED})
 * when the next event arrives. One pair per silent episode.
 *
 * <p>Why processing time: when the feed stops, event time stops too (no events, no watermark), so an
 * event-time timer would never fire; silence is a wall-clock fact.
 *
 * <p>Times in the alert: {@code startedAt} is the event time of the latest event seen before the silence
 * (the feed's position when it went quiet), not the wall time the silence was noticed, so that it means the
 * same as an outage's "last heard from" and the alert id, derived from (election, kind, startedAt), is the
 * same when the same input is replayed. {@code endedAt} of FEED_RESUMED is the event time of the first event
 * after the silence (never before {@code startedAt}). The wall-clock times go into {@code detail}.
 *
 * <p>Timers: one processing-time timer per key, at most. An event only records when it arrived; if no timer
 * is pending it registers one {@code silentAfter} later. When the timer fires and an event arrived since, it
 * re-registers itself {@code silentAfter} after that last arrival, so continuous traffic costs one timer per
 * {@code silentAfter}, not one per event. While the feed is silent no timer is pending. The watchdog arms on
 * a key's first event: an election that never sent anything is not reported.
 *
 * @param <T> the per-election events (e.g. {@link BranchSignal}); only their event time is read
 */
public class FeedWatchdog<T> extends KeyedProcessFunction<String, T, BranchAlert> {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT_SILENT_AFTER = Duration.ofMinutes(2);

    /** Reads an event's event time (epoch millis); serializable so the job can ship it. */
    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long of(T event);
    }

    private final long silentAfterMillis;
    private final EventTime<T> eventTime;
    private final EventTime<T> firstEventTime;

    /** Processing time the last event arrived. */
    private transient ValueState<Long> lastArrival;
    /** The latest event time seen. */
    private transient ValueState<Long> lastEventTime;
    /** The pending timer's time; null when none is pending. */
    private transient ValueState<Long> timerAt;
    /** startedAt of the current silent episode; null while the feed is live. */
    private transient ValueState<Long> silentSince;

    public FeedWatchdog(Duration silentAfter, EventTime<T> eventTime) {
        this(silentAfter, eventTime, eventTime);
    }

    /**
     * A watchdog over events that stand for several ({@link FeedActivity}): {@code latestEventTime} is the latest event
     * time they cover, {@code firstEventTime} the first one's (the end of a silence).
     */
    public FeedWatchdog(Duration silentAfter, EventTime<T> latestEventTime, EventTime<T> firstEventTime) {
        if (silentAfter == null || silentAfter.isZero() || silentAfter.isNegative()) {
            throw new IllegalArgumentException("silentAfter must be positive: " + silentAfter);
        }
        this.silentAfterMillis = silentAfter.toMillis();
        this.eventTime = java.util.Objects.requireNonNull(latestEventTime, "latestEventTime");
        this.firstEventTime = java.util.Objects.requireNonNull(firstEventTime, "firstEventTime");
    }

    /** A watchdog over {@link BranchSignal}s keyed by {@code signal.election()}. */
    public static FeedWatchdog<BranchSignal> onSignals(Duration silentAfter) {
        return new FeedWatchdog<>(silentAfter, s -> s.heardAt);
    }

    /** A watchdog over the per-subtask summaries of the signals ({@link FeedActivitySummary}), keyed by election. */
    public static FeedWatchdog<FeedActivity> onActivity(Duration silentAfter) {
        return new FeedWatchdog<>(silentAfter, a -> a.latestHeardAt, a -> a.firstHeardAt);
    }

    /** {@link #onSignals(Duration)} with {@link #DEFAULT_SILENT_AFTER}. */
    public static FeedWatchdog<BranchSignal> onSignals() {
        return onSignals(DEFAULT_SILENT_AFTER);
    }

    public Duration silentAfter() {
        return Duration.ofMillis(silentAfterMillis);
    }

    @Override
    public void open(OpenContext openContext) {
        lastArrival = getRuntimeContext().getState(new ValueStateDescriptor<>("feed-last-arrival", Types.LONG));
        lastEventTime = getRuntimeContext().getState(new ValueStateDescriptor<>("feed-last-event-time", Types.LONG));
        timerAt = getRuntimeContext().getState(new ValueStateDescriptor<>("feed-timer", Types.LONG));
        silentSince = getRuntimeContext().getState(new ValueStateDescriptor<>("feed-silent-since", Types.LONG));
    }

    @Override
    public void processElement(T event, Context ctx, Collector<BranchAlert> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        long time = eventTime.of(event);
        Long latest = lastEventTime.value();
        lastEventTime.update(latest == null ? time : Math.max(latest, time));
        lastArrival.update(now);

        Long since = silentSince.value();
        if (since != null) {
            silentSince.clear();
            time = firstEventTime.of(event);
            long silentMillis = time - since;
            out.collect(alert(ctx.getCurrentKey(), AlertKind.FEED_RESUMED, AlertReason.RECOVERED, since, Math.max(since, time),
                    "events for election " + ctx.getCurrentKey() + " arrive again at " + Instant.ofEpochMilli(now)
                            + " (wall clock); first event time " + Alerts.at(time)
                            + (silentMillis > 0 ? ", " + Duration.ofMillis(silentMillis).toSeconds() + " s of event time after the last one" : "")));
        }
        if (timerAt.value() == null) {
            long at = now + silentAfterMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            timerAt.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchAlert> out) throws Exception {
        Long pending = timerAt.value();
        if (pending == null || pending != timestamp) return; // not ours (restored duplicates are harmless)
        timerAt.clear();
        Long arrived = lastArrival.value();
        if (arrived == null) return;
        long due = arrived + silentAfterMillis;
        if (timestamp < due) {
            // traffic since the timer was set: look again silentAfter after the last arrival
            ctx.timerService().registerProcessingTimeTimer(due);
            timerAt.update(due);
            return;
        }
        if (silentSince.value() != null) return; // already reported this episode
        long startedAt = lastEventTime.value();
        silentSince.update(startedAt);
        out.collect(alert(ctx.getCurrentKey(), AlertKind.FEED_SILENT, AlertReason.NO_EVENTS, startedAt, null,
                "no events for election " + ctx.getCurrentKey() + " for " + Duration.ofMillis(timestamp - arrived).toSeconds()
                        + " s (wall clock, since " + Instant.ofEpochMilli(arrived) + "); last event time " + Alerts.at(startedAt)));
    }

    /** A feed-level alert: no branch, empty constituency, id from (election, kind, "feed", startedAt). */
    static BranchAlert alert(String election, AlertKind kind, AlertReason reason, long startedAt, Long endedAt, String detail) {
        return BranchAlert.newBuilder()
                .setAlertId(AlertIds.of(election, kind, "feed", startedAt))
                .setElection(election)
                .setKind(kind)
                .setBranchId(null)
                .setConstituencyId("")
                .setReason(reason)
                .setStartedAt(Instant.ofEpochMilli(startedAt))
                .setEndedAt(endedAt == null ? null : Instant.ofEpochMilli(endedAt))
                .setDetail(detail)
                .build();
    }
}
