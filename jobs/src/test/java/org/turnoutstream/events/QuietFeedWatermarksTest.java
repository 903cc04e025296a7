package org.turnoutstream.events;

import org.turnoutstream.signals.BranchReport;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuietFeedWatermarksTest {
    static final long POLLS_CLOSE = 1_709_326_800_000L;

    long wallClock = 1_000_000;
    final List<Long> watermarks = new ArrayList<>();
    boolean idle;
    final WatermarkOutput output = new WatermarkOutput() {
        @Override public void emitWatermark(Watermark watermark) { watermarks.add(watermark.getTimestamp()); idle = false; }
        @Override public void markIdle() { idle = true; }
        @Override public void markActive() { idle = false; }
    };
    final QuietFeedWatermarks<BranchReport> generator =
            new QuietFeedWatermarks<>(Duration.ofSeconds(5), Duration.ofSeconds(30), () -> wallClock);

    @Test
    void aSubtaskThatSawNothingForTheQuietPeriodIsIdle() {
        generator.onPeriodicEmit(output);
        assertFalse(idle, "a partition whose first records are just slow to come holds the others back");
        wallClock += 30_001;
        generator.onPeriodicEmit(output);
        assertTrue(idle, "an empty partition stops holding the others back after the quiet period");
        assertTrue(watermarks.isEmpty());
    }

    @Test
    void withoutTheQuietFeedAdvanceASubtaskIsNeverMarkedIdle() {
        new QuietFeedWatermarks<BranchReport>(Duration.ofSeconds(5), Duration.ZERO, () -> wallClock).onPeriodicEmit(output);
        assertFalse(idle, "a bounded run must not let a finished subtask release records still on their way");
        assertTrue(watermarks.isEmpty());
    }

    @Test
    void trailsTheLatestReportByTheOutOfOrdernessBound() {
        generator.onEvent(null, POLLS_CLOSE, output);
        generator.onPeriodicEmit(output);
        assertEquals(List.of(POLLS_CLOSE - 5_001), watermarks);
    }

    @Test
    void keepsMovingAtWallClockSpeedWhenTheFeedGoesQuiet() {
        generator.onEvent(null, POLLS_CLOSE, output);
        wallClock += 20_000;
        generator.onPeriodicEmit(output);
        assertEquals(POLLS_CLOSE - 5_001, watermarks.get(watermarks.size() - 1), "20 s of silence is not yet quiet");
        wallClock += 40_000;
        generator.onPeriodicEmit(output);
        assertEquals(POLLS_CLOSE - 5_001 + 60_000, watermarks.get(watermarks.size() - 1));
    }

    @Test
    void neverGoesBackWhenReportsResume() {
        generator.onEvent(null, POLLS_CLOSE, output);
        wallClock += 120_000;
        generator.onPeriodicEmit(output);
        long advanced = watermarks.get(watermarks.size() - 1);
        generator.onEvent(null, POLLS_CLOSE + 1_000, output);
        generator.onPeriodicEmit(output);
        assertEquals(advanced, watermarks.get(watermarks.size() - 1));
    }
}
