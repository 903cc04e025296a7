package org.turnoutstream.events;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

import java.io.Serializable;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Event-time watermarks that tolerate reports arriving up to {@code maxOutOfOrderness} apart, and keep
 * moving when the feed goes quiet: after {@code quietAfter} of wall-clock silence, event time is taken
 * to pass at wall-clock speed from the last report seen. So when polls close or the network drops,
 * the last grid points are still written and reach their final value. A partition (or subtask) that has
 * seen nothing for {@code quietAfter} since it started is marked idle so it does not hold the others back. {@code quietAfter} zero turns the
 * wall-clock advance off (bounded replays, where the end of input flushes everything), and with it the
 * idle marking: in a bounded run a subtask without input finishes (which releases the watermark anyway),
 * while an idle subtask would let another subtask's end of input move the watermark to the end of time
 * before its own records (still on their way) arrive.
 */
public final class QuietFeedWatermarks<T> implements WatermarkGenerator<T> {

    /** A wall clock that can be replaced in tests. */
    public interface WallClock extends LongSupplier, Serializable {}

    private final long maxOutOfOrdernessMillis;
    private final long quietAfterMillis;
    private final WallClock clock;

    private long maxEventTime = Long.MIN_VALUE;
    private long lastEventWallTime;
    private final long createdWallTime;
    private long lastEmitted = Long.MIN_VALUE;
    private boolean idle;

    public QuietFeedWatermarks(Duration maxOutOfOrderness, Duration quietAfter, WallClock clock) {
        this.maxOutOfOrdernessMillis = maxOutOfOrderness.toMillis();
        this.quietAfterMillis = quietAfter.toMillis();
        this.clock = clock;
        this.createdWallTime = clock.getAsLong();
    }

    /**
     * Watermarks of when the centre heard each raw record: its Kafka timestamp ({@link RawRecord#heardAt}). Given
     * to a Kafka source ({@code env.fromSource(source, strategy, name)}), there is one generator per partition, so
     * a bounded replay that reads one partition ahead of another does not make the other's records late.
     */
    public static WatermarkStrategy<RawRecord> forRecords(Duration maxOutOfOrderness, Duration quietAfter) {
        // Silence is measured on the source's input-activity clock: wall-clock time, but stopped while the source may
        // not read (back-pressured, or paused by watermark alignment). A partition held back is not a quiet feed: its
        // watermark must not move ahead of records it has not been allowed to read yet, or they would turn up late.
        WatermarkStrategy<RawRecord> strategy = context -> {
            RelativeClock activity = context.getInputActivityClock();
            return new QuietFeedWatermarks<>(maxOutOfOrderness, quietAfter, activity::relativeTimeMillis);
        };
        return strategy.withTimestampAssigner((record, kafkaTimestamp) -> record.heardAt(kafkaTimestamp));
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        maxEventTime = Math.max(maxEventTime, eventTimestamp);
        lastEventWallTime = clock.getAsLong();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxEventTime == Long.MIN_VALUE) {
            // Idle only after a quiet period of its own: a partition whose first records are merely slow to be
            // fetched must hold the others back, or its records would all be late (and its branches look dark).
            if (!idle && quietAfterMillis > 0 && clock.getAsLong() - createdWallTime > quietAfterMillis) {
                output.markIdle();
                idle = true;
            }
            return;
        }
        long watermark = maxEventTime - maxOutOfOrdernessMillis - 1;
        if (quietAfterMillis > 0) {
            long silence = clock.getAsLong() - lastEventWallTime;
            if (silence > quietAfterMillis) watermark += silence;
        }
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
            idle = false;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
