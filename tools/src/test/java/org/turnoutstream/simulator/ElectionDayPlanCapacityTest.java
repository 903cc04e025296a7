package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.schemas.TurnoutReport;

/** The plan takes a branch's declared electorate, and never plans more voters at a branch than its capacity. */
class ElectionDayPlanCapacityTest {

    private static Path alborzSample() {
        return Path.of(System.getProperty("turnout.repo.dir", "..")).toAbsolutePath().normalize()
                .resolve("reference/alborz-synthetic");
    }

    /** Every branch: declared electorate taken as is (else at most its capacity), voters within both. */
    private static void assertWithinCapacity(Election election, long seed) {
        ElectionDayPlan plan = ElectionDayPlan.plan(election, SimulationSettings.defaults(election.id()).withSeed(seed));
        long voters = 0;
        for (int b = 0; b < plan.branchCount(); b++) {
            Branch branch = plan.branches().get(b);
            long capacity = election.capacity(branch.id());
            if (branch.declaresEligibleVoters()) assertEquals(branch.eligibleVoters(), plan.eligibleAt(b), branch.id());
            assertTrue(plan.eligibleAt(b) <= capacity, branch.id() + ": eligible " + plan.eligibleAt(b) + " > capacity " + capacity);
            assertTrue(plan.votersAt(b) <= plan.eligibleAt(b), branch.id());
            assertTrue(plan.votersAt(b) <= capacity, branch.id() + ": voters " + plan.votersAt(b) + " > capacity " + capacity);
            assertEquals(plan.votersAt(b), plan.ballotsAt(b, plan.pollsCloseMillis()));
            voters += plan.votersAt(b);
        }
        assertTrue(voters > election.eligibleVoters() / 4, "a plausible turnout: " + voters);
    }

    @Test
    void theAlborzSampleDeclaresEveryBranchAndThePlanStaysWithin() {
        Election alborz = ElectionCatalog.loadSpecs(List.of("2024-majlis-r1=" + alborzSample()))
                .election("2024-majlis-r1").orElseThrow();
        assertTrue(alborz.branches().stream().allMatch(Branch::declaresEligibleVoters));
        for (long seed : new long[] {1, 42, 1403}) assertWithinCapacity(alborz, seed);
    }

    @Test
    void aSmallNationalElectionStaysWithin() {
        Election national = SimulatorFixtures.smallElection(2_000, 40);
        for (long seed : new long[] {1, 42, 1403}) assertWithinCapacity(national, seed);
    }

    @Test
    void withoutDeclaredElectoratesTheWeightedSplitStaysWithinTheDefaultBound() {
        Election generated = SimulatorFixtures.smallElection(2_000, 40);
        Election.Builder builder = Election.builder("undeclared");
        generated.constituencies().forEach(c -> builder.constituency(c.id(), c.name(), c.province(), c.eligibleVoters()));
        generated.branches().forEach(b -> builder.branch(b.id(), b.constituencyId(), b.name()));
        Election undeclared = builder.build();
        assertTrue(undeclared.branches().stream().noneMatch(Branch::declaresEligibleVoters));
        for (long seed : new long[] {1, 42, 1403}) assertWithinCapacity(undeclared, seed);
        // a branch alone in its constituency may take all of it, and the split gives it all of it (bar rounding)
        Election single = Election.builder("single").constituency("c", "C", "P", 22_000).branch("b", "c", "B").build();
        assertWithinCapacity(single, 7);
        assertEquals(22_000, single.capacity("b"));
    }

    @Test
    void noReportOfASimulatedDayIsAboveItsBranchsCapacity() {
        Election election = SimulatorFixtures.smallElection(60, 3);
        SimulationSettings settings = SimulationSettings.defaults(election.id()).withSeed(5).withFaults(FaultRates.DEFAULT);
        int reports = 0;
        for (SimulatedRecord r : ElectionDaySimulator.of(election, settings)) {
            if (!r.isValidReport()) continue;
            TurnoutReport t = r.turnoutReport().orElseThrow();
            assertTrue(t.getBallotsCast() <= election.capacity(t.getBranchId()), t.toString());
            reports++;
        }
        assertTrue(reports > 60, "reports: " + reports);
    }
}
