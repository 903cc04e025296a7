package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;

class BranchLatestCountTest {
    static final String ELECTION = ElectionDayFixtures.RUN_OFF;
    static final long MINUTE = 60_000;

    KeyedOneInputStreamOperatorTestHarness<String, BranchReport, BranchDelta> harness;

    @BeforeEach
    void open() throws Exception {
        harness = NoGenericTypes.forKeyedProcessFunction(
                new BranchLatestCount(new TurnoutGrid(Duration.ofSeconds(10), Duration.ofMinutes(10))),
                BranchReport::branchKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static BranchReport karajBranch(int number, long sequence, long ballots, long minutesAfterOpening) {
        return new BranchReport(ELECTION, ElectionDayFixtures.karajBranch(number), "karaj", sequence, ballots, POLLS_OPEN_MILLIS + minutesAfterOpening * MINUTE);
    }

    List<BranchDelta> send(BranchReport report) throws Exception {
        harness.processElement(report, report.eventTime);
        List<BranchDelta> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void countsEachBranchByItsHighestSequence() throws Exception {
        assertEquals(List.of(new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + MINUTE, 12, 1)), send(karajBranch(17, 1, 12, 1)));
        assertEquals(List.of(new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 2 * MINUTE, 18, 0)), send(karajBranch(17, 2, 30, 2)));
        assertEquals(List.of(), send(karajBranch(17, 2, 30, 2)), "a duplicate changes nothing");
        assertEquals(List.of(), send(karajBranch(17, 1, 12, 1)), "an older sequence changes nothing");
        assertEquals(List.of(new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 2 * MINUTE, 5, 1)), send(karajBranch(18, 1, 5, 2)),
                "another branch is counted on its own");
    }

    @Test
    void aLateReportEmitsTheCorrectionsItCauses() throws Exception {
        send(karajBranch(17, 1, 12, 1));
        send(karajBranch(17, 3, 40, 5));
        harness.processWatermark(POLLS_OPEN_MILLIS + 5 * MINUTE);
        // sequence 2 (25 ballots at minute 3) arrives after the watermark passed it
        assertEquals(List.of(
                new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 3 * MINUTE, 13, 0),
                new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 5 * MINUTE, -13, 0)), send(karajBranch(17, 2, 25, 3)));
    }

    /**
     * Heard 40 minutes after its own time, beyond the 10-minute correction horizon: the report counts from
     * (heard - horizon), whatever the watermark was when it arrived, so every run writes the same history.
     */
    @Test
    void aReportHeardBeyondTheHorizonCountsFromHeardMinusHorizon() throws Exception {
        send(karajBranch(17, 1, 12, 1));
        assertEquals(List.of(new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 30 * MINUTE, 20, 0)),
                send(karajBranch(17, 2, 32, 5).receivedAt(POLLS_OPEN_MILLIS + 40 * MINUTE)));
        // sequence 3 heard within the horizon counts at its own minute 9 and, as the higher sequence, from then on:
        // 12 -> 40 at minute 9, and the step sequence 2 made at minute 30 is gone
        assertEquals(List.of(new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 9 * MINUTE, 28, 0),
                        new BranchDelta(ELECTION, "karaj", POLLS_OPEN_MILLIS + 30 * MINUTE, -20, 0)),
                send(karajBranch(17, 3, 40, 9).receivedAt(POLLS_OPEN_MILLIS + 15 * MINUTE)));
    }
}
