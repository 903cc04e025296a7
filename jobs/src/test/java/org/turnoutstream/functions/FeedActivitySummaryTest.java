package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.BranchAlert;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The watchdog's pre-aggregation: one summary per election and interval, and the watchdog reading them like signals. */
class FeedActivitySummaryTest {
    static final long WALL = 1_700_000_000_000L;
    static final long EVENT = Instant.parse("2024-03-01T05:00:00Z").toEpochMilli();
    static final long SECOND = 1_000;

    static BranchSignal heartbeat(String election, long heardAt) {
        return new BranchSignal(election, "B-1", "C-1", heardAt, BranchSignal.Kind.HEARTBEAT, null);
    }

    @Test
    void oneSummaryPerElectionAndIntervalWithTheFirstAndLatestHeardTimes() throws Exception {
        try (OneInputStreamOperatorTestHarness<BranchSignal, FeedActivity> harness =
                     new OneInputStreamOperatorTestHarness<>(new FeedActivitySummary(Duration.ofSeconds(1)))) {
            harness.open();
            harness.setProcessingTime(WALL);
            harness.processElement(heartbeat("e1", EVENT + 3 * SECOND), EVENT + 3 * SECOND);
            harness.processElement(heartbeat("e1", EVENT + 9 * SECOND), EVENT + 9 * SECOND);
            harness.processElement(heartbeat("e1", EVENT + 5 * SECOND), EVENT + 5 * SECOND); // out of order: latest stays 9 s
            harness.processElement(heartbeat("e2", EVENT), EVENT);
            harness.setProcessingTime(WALL + 999);
            assertEquals(List.of(), harness.extractOutputValues(), "nothing before the interval is over");

            harness.setProcessingTime(WALL + 1000);
            List<FeedActivity> out = harness.extractOutputValues();
            out.sort(Comparator.comparing(a -> a.election));
            assertEquals(2, out.size(), out.toString());
            assertEquals("e1", out.get(0).election);
            assertEquals(EVENT + 3 * SECOND, out.get(0).firstHeardAt);
            assertEquals(EVENT + 9 * SECOND, out.get(0).latestHeardAt);
            assertEquals("e2", out.get(1).election);
            assertEquals(EVENT, out.get(1).latestHeardAt);
            harness.getOutput().clear();

            harness.setProcessingTime(WALL + 5000);
            assertEquals(List.of(), harness.extractOutputValues(), "a silent feed gives no summaries");
            assertEquals(0, harness.getProcessingTimeService().getNumActiveTimers(), "and no timer while silent");

            harness.processElement(heartbeat("e1", EVENT + 60 * SECOND), EVENT + 60 * SECOND);
            harness.getOperator().finish(); // end of input
            List<FeedActivity> last = harness.extractOutputValues();
            assertEquals(1, last.size(), "what arrived since the last summary is flushed at the end of input");
            assertEquals(EVENT + 60 * SECOND, last.get(0).firstHeardAt);
        }
    }

    @Test
    void theWatchdogOnSummariesResumesAtTheFirstHeardTimeAfterTheSilence() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, FeedActivity, BranchAlert> harness =
                     ProcessFunctionTestHarnesses.forKeyedProcessFunction(FeedWatchdog.onActivity(Duration.ofMinutes(2)), a -> a.election, Types.STRING)) {
            harness.setProcessingTime(WALL);
            harness.processElement(new FeedActivity("e1", EVENT, EVENT + 10 * SECOND), EVENT);
            harness.setProcessingTime(WALL + 120 * SECOND);
            List<BranchAlert> silent = harness.extractOutputValues();
            assertEquals(1, silent.size(), silent.toString());
            assertEquals(AlertKind.FEED_SILENT, silent.get(0).getKind());
            assertEquals(Instant.ofEpochMilli(EVENT + 10 * SECOND), silent.get(0).getStartedAt(), "the latest heard time before the silence");
            harness.getOutput().clear();

            harness.processElement(new FeedActivity("e1", EVENT + 300 * SECOND, EVENT + 320 * SECOND), EVENT);
            List<BranchAlert> resumed = harness.extractOutputValues();
            assertEquals(1, resumed.size(), resumed.toString());
            assertEquals(AlertKind.FEED_RESUMED, resumed.get(0).getKind());
            assertEquals(Instant.ofEpochMilli(EVENT + 10 * SECOND), resumed.get(0).getStartedAt());
            assertEquals(Instant.ofEpochMilli(EVENT + 300 * SECOND), resumed.get(0).getEndedAt(), "the first heard time after the silence");
        }
    }
}
