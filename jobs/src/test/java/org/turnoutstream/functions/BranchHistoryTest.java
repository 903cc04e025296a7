package org.turnoutstream.functions;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;

class BranchHistoryTest {
    static final long MINUTE = 60_000;

    final BranchHistory branch = new BranchHistory();
    final List<BranchHistory.Step> steps = new ArrayList<>();

    BranchHistory.Outcome report(long minutesAfterOpening, long sequence, long ballots) {
        steps.clear();
        return branch.add(POLLS_OPEN_MILLIS + minutesAfterOpening * MINUTE, sequence, ballots, steps);
    }

    @Test
    void firstReportCountsFromItsTimeAndMakesTheBranchReporting() {
        assertEquals(BranchHistory.Outcome.APPLIED, report(5, 1, 40));
        assertEquals(List.of(new BranchHistory.Step(POLLS_OPEN_MILLIS + 5 * MINUTE, 40, 1)), steps);
    }

    @Test
    void inOrderReportAddsTheDifference() {
        report(5, 1, 40);
        report(10, 2, 95);
        assertEquals(List.of(new BranchHistory.Step(POLLS_OPEN_MILLIS + 10 * MINUTE, 55, 0)), steps);
    }

    @Test
    void duplicateChangesNothing() {
        report(5, 1, 40);
        assertEquals(BranchHistory.Outcome.DUPLICATE, report(5, 1, 40));
        assertEquals(List.of(), steps);
    }

    @Test
    void lowerSequenceAfterHigherChangesNothingAfterTheHigher() {
        report(10, 2, 95);
        assertEquals(BranchHistory.Outcome.SUPERSEDED, report(12, 1, 40));
        assertEquals(List.of(), steps);
    }

    @Test
    void lateEarlierReportFillsTheGapBeforeTheNextOne() {
        report(10, 2, 95);
        assertEquals(BranchHistory.Outcome.APPLIED, report(5, 1, 40));
        // reporting from minute 5 instead of 10; 40 ballots between 5 and 10; unchanged from 10 on
        assertEquals(List.of(
                new BranchHistory.Step(POLLS_OPEN_MILLIS + 5 * MINUTE, 40, 1),
                new BranchHistory.Step(POLLS_OPEN_MILLIS + 10 * MINUTE, -40, -1)), steps);
        assertEquals(95, branch.countAt(POLLS_OPEN_MILLIS + 10 * MINUTE));
        assertEquals(40, branch.countAt(POLLS_OPEN_MILLIS + 7 * MINUTE));
    }

    @Test
    void reportsOlderThanTheCompactedPastOnlyCountFromTheOldestKeptOne() {
        report(5, 1, 40);
        report(10, 2, 95);
        report(15, 3, 120);
        branch.compactBefore(POLLS_OPEN_MILLIS + 11 * MINUTE);
        assertEquals(2, branch.size());
        assertEquals(BranchHistory.Outcome.DUPLICATE, report(7, 1, 40));
        assertEquals(BranchHistory.Outcome.SUPERSEDED, report(2, 0, 3), "an unseen older sequence changes nothing from the oldest kept report on");
        // a higher sequence dated in the compacted past wins from the oldest kept instant on
        assertEquals(BranchHistory.Outcome.APPLIED, report(9, 4, 130));
        // sequence 4 beats both kept reports: 130 from minute 10 on (it was 95, then 120 from minute 15)
        assertEquals(List.of(new BranchHistory.Step(POLLS_OPEN_MILLIS + 10 * MINUTE, 35, 0),
                new BranchHistory.Step(POLLS_OPEN_MILLIS + 15 * MINUTE, -25, 0)), steps);
        assertEquals(130, branch.countAt(POLLS_OPEN_MILLIS + 20 * MINUTE));
    }

    @Test
    void aResentSequenceIsADuplicateEvenWithAnotherClockReadingAndAfterItWasShadowed() {
        report(10, 1, 5);
        report(5, 2, 7);           // sequence 2, earlier, shadows sequence 1
        assertEquals(BranchHistory.Outcome.DUPLICATE, report(3, 1, 5));
        assertEquals(List.of(), steps);
        assertEquals(BranchHistory.Outcome.DUPLICATE, report(20, 2, 7));
    }

    @Test
    void seenSequencesStayAFewRangesForAnOrdinaryDay() {
        for (int seq = 1; seq <= 720; seq++) report(seq, seq, seq * 3L);
        assertEquals(2, branch.seenLength, "one range");
        report(800, 1000, 5000);
        report(799, 999, 4990);
        assertEquals(4, branch.seenLength, "two ranges with a gap");
    }

    /** Whatever the order, the summed steps equal the definition: highest sequence at or before T. */
    @Test
    void stepsAlwaysSumToTheHighestSequenceCountAtEveryInstant() {
        Random random = new Random(42);
        for (int trial = 0; trial < 500; trial++) {
            BranchHistory history = new BranchHistory();
            TreeMap<Long, long[]> summed = new TreeMap<>();
            Map<Long, long[]> seen = new HashMap<>(); // sequence -> {time, ballots}, first seen wins
            List<long[]> reports = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            long ballots = 0;
            for (int seq = 1; seq <= n; seq++) {
                ballots += random.nextInt(50);
                // mostly increasing times, sometimes skewed clocks
                long time = seq * 10L + (random.nextInt(5) == 0 ? -random.nextInt(30) : random.nextInt(5));
                reports.add(new long[]{time, seq, ballots});
            }
            for (int d = random.nextInt(4); d > 0; d--) reports.add(reports.get(random.nextInt(reports.size())).clone());
            java.util.Collections.shuffle(reports, random);

            List<BranchHistory.Step> out = new ArrayList<>();
            for (long[] r : reports) {
                out.clear();
                history.add(r[0], r[1], r[2], out);
                seen.putIfAbsent(r[1], new long[]{r[0], r[2]});
                for (BranchHistory.Step s : out) {
                    long[] at = summed.computeIfAbsent(s.time(), t -> new long[2]);
                    at[0] += s.ballots();
                    at[1] += s.reporting();
                }
                for (long t = -40; t <= n * 10L + 10; t++) {
                    long expectedBallots = 0, expectedReporting = 0, bestSeq = -1;
                    for (Map.Entry<Long, long[]> e : seen.entrySet()) {
                        if (e.getValue()[0] <= t) {
                            expectedReporting = 1;
                            if (e.getKey() > bestSeq) { bestSeq = e.getKey(); expectedBallots = e.getValue()[1]; }
                        }
                    }
                    long sumBallots = 0, sumReporting = 0;
                    for (long[] v : summed.headMap(t, true).values()) { sumBallots += v[0]; sumReporting += v[1]; }
                    assertEquals(expectedBallots, sumBallots, "ballots at " + t + " trial " + trial + " after " + java.util.Arrays.toString(r));
                    assertEquals(expectedReporting, sumReporting, "reporting at " + t + " trial " + trial);
                }
            }
        }
    }
}
