package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.Election;

/** A run-off's day: its first round's turnout curves with bounded changes, and outages and faults of its own. */
class RunOffDayTest {
    static final long SEED = 1403;
    static final Election FIRST_ROUND = SimulatorFixtures.smallElection("r1", 120, 6);
    static final Election RUN_OFF = SimulatorFixtures.smallElection("r2", 120, 6);
    static final FaultRates FAULTS = new FaultRates(0.05, 0.05, 0.03, 0.05, 0.10, 0.30);

    static SimulationSettings firstRound() {
        return SimulationSettings.defaults(FIRST_ROUND.id()).withSeed(SEED).withFaults(FAULTS);
    }

    static SimulationSettings runOff() {
        return SimulationSettings.defaults(RUN_OFF.id()).withDate(SimulationSettings.DEFAULT_DATE.plusWeeks(1))
                .withSeed(SEED).withFaults(FAULTS).withRunOff(true);
    }

    @Test
    void aRunOffCurveIsItsFirstRoundsWithBoundedChanges() {
        int more = 0, muchLess = 0;
        for (long seed : new long[] {1, 42, SEED}) {
            for (int c = 0; c < 200; c++) {
                TurnoutCurve first = TurnoutCurve.seeded(seed, c), second = TurnoutCurve.runOff(seed, c);
                String which = "seed " + seed + ", constituency " + c + ": " + first + " -> " + second;
                double factor = second.finalTurnout() / first.finalTurnout();
                assertTrue(factor >= 0.75 - 1e-12 && factor < 1.05, which);
                assertTrue(Math.abs(second.morningPeak() - first.morningPeak()) <= 0.04, which);
                assertTrue(Math.abs(second.eveningPeak() - first.eveningPeak()) <= 0.04, which);
                if (factor > 1) more++;
                if (factor < 0.85) muchLess++;
                assertEquals(0.0, second.votedShare(0.0));
                assertEquals(1.0, second.votedShare(1.0));
                double previous = -1;
                for (int i = 0; i <= 100; i++) {
                    assertTrue(second.votedShare(i / 100.0) >= previous, "monotone: " + which);
                    previous = second.votedShare(i / 100.0);
                }
                double midday = second.intensity(0.5);
                assertTrue(second.intensity(second.morningPeak()) > 1.5 * midday
                        && second.intensity(second.eveningPeak()) > 1.5 * midday, "rush, dip, peak: " + which);
            }
        }
        assertTrue(more > 30, "some constituencies vote a bit more in the run-off: " + more + " of 600");
        assertTrue(muchLess > 150, "many vote clearly less: " + muchLess + " of 600");
    }

    @Test
    void aRunOffPlanTakesTheRunOffCurvesOfItsFirstRoundsSeed() {
        ElectionDayPlan first = ElectionDayPlan.plan(FIRST_ROUND, firstRound());
        ElectionDayPlan second = ElectionDayPlan.plan(RUN_OFF, runOff());
        for (int c = 0; c < FIRST_ROUND.constituencies().size(); c++) {
            String id = FIRST_ROUND.constituencies().get(c).id();
            assertEquals(TurnoutCurve.seeded(SEED, c).toString(), first.curve(id).toString(), id);
            assertEquals(TurnoutCurve.runOff(SEED, c).toString(), second.curve(id).toString(), id);
        }
    }

    @Test
    void aRunOffHasOutagesAndFaultsOfItsOwn() {
        ElectionDayPlan first = ElectionDayPlan.plan(FIRST_ROUND, firstRound());
        ElectionDayPlan second = ElectionDayPlan.plan(RUN_OFF, runOff());
        assertFalse(second.outages().isEmpty());
        assertNotEquals(first.outages().stream().map(PlannedOutage::branchId).toList(),
                second.outages().stream().map(PlannedOutage::branchId).toList(), "not the first round's outages again");
        long[] firstOffsets = new long[first.branchCount()], secondOffsets = new long[second.branchCount()];
        for (int b = 0; b < first.branchCount(); b++) {
            firstOffsets[b] = first.reportOffsetMs(b);
            secondOffsets[b] = second.reportOffsetMs(b);
        }
        assertFalse(Arrays.equals(firstOffsets, secondOffsets), "nor its report clocks");
        assertEquals(SEED, second.settings().seed());
        assertEquals(SEED, first.settings().daySeed(), "a first round's day comes from its seed, as it always did");
    }
}
