package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.reference.ReferenceFixtures.KARAJ;
import static org.turnoutstream.reference.ReferenceFixtures.TALEQAN;
import static org.turnoutstream.reference.ReferenceFixtures.TEHRAN;
import static org.turnoutstream.reference.ReferenceFixtures.karajBranch;
import static org.turnoutstream.reference.ReferenceFixtures.smallElection;
import static org.turnoutstream.reference.ReferenceFixtures.taleqanBranch;
import static org.turnoutstream.reference.ReferenceFixtures.tehranBranch;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.ReferenceGenerator.Params;

/** {@link BranchCapacity}: the rule, and {@link Election#capacity} and {@link ElectionCatalog#capacityAt} that answer it. */
class BranchCapacityTest {

    @Test
    void defaultBoundIsThreeTimesTheAverageBranchRoundedUpAndAtMostTheConstituency() {
        assertEquals(3, BranchCapacity.DEFAULT_MARGIN);
        assertEquals(1_650, BranchCapacity.defaultBound(22_000, 40));   // ceil(3 * 22,000 / 40)
        assertEquals(1_535, BranchCapacity.defaultBound(22_000, 43));   // ceil(1,534.9)
        assertEquals(22_000, BranchCapacity.defaultBound(22_000, 1), "a single branch: the whole constituency");
        assertEquals(22_000, BranchCapacity.defaultBound(22_000, 2));
        assertEquals(22_000, BranchCapacity.defaultBound(22_000, 3));
        assertEquals(16_500, BranchCapacity.defaultBound(22_000, 4));
        assertEquals(1, BranchCapacity.defaultBound(1, 40));
        assertEquals(0, BranchCapacity.defaultBound(0, 40), "no electorate: capacity 0");
        assertEquals(0, BranchCapacity.defaultBound(0, 1));
        assertEquals(Long.MAX_VALUE, BranchCapacity.defaultBound(Long.MAX_VALUE, 2), "no overflow");
        assertEquals(Long.MAX_VALUE / 4 * 3 + 3, BranchCapacity.defaultBound(Long.MAX_VALUE, 4), "no overflow");
        assertThrows(IllegalArgumentException.class, () -> BranchCapacity.defaultBound(-1, 4));
    }

    @Test
    void aReportTenTimesTooLargeIsAboveTheBound() {
        long bound = BranchCapacity.defaultBound(22_000, 43);
        assertTrue(10 * 22_000 / 43 > bound);
        assertTrue(220_000 > bound);
    }

    @Test
    void declaredEligibleVotersAreTheCapacity() {
        Constituency taleqan = new Constituency(TALEQAN, "Taleqan", "Alborz", 22_000, 40);
        assertEquals(612, BranchCapacity.of(new Branch("t1", TALEQAN, "T1", 612), taleqan));
        assertEquals(0, BranchCapacity.of(new Branch("t1", TALEQAN, "T1", 0), taleqan));
        assertEquals(30_000, BranchCapacity.of(new Branch("t1", TALEQAN, "T1", 30_000), taleqan), "declared wins, even above");
        assertEquals(1_650, BranchCapacity.of(new Branch("t1", TALEQAN, "T1"), taleqan));
        assertThrows(IllegalArgumentException.class, () -> BranchCapacity.of(new Branch("k1", KARAJ, "K1"), taleqan));
    }

    @Test
    void branchWithoutDeclaredElectorate() {
        Branch b = new Branch("b", "c", "B");
        assertEquals(Branch.NOT_DECLARED, b.eligibleVoters());
        assertEquals(-1, b.eligibleVoters());
        assertEquals(new Branch("b", "c", "B", -1), b);
        assertThrows(IllegalArgumentException.class, () -> new Branch("b", "c", "B", -2));
    }

    @Test
    void electionCapacityOfEveryBranchAndOfAnUnknownOne() {
        Election e = Election.builder("e")
                .constituency(TEHRAN, "Tehran", "Tehran", 9_000)
                .constituency(TALEQAN, "Taleqan", "Alborz", 0)
                .branch(tehranBranch(1), TEHRAN, "T1", 4_000)
                .branch(tehranBranch(2), TEHRAN, "T2")
                .branch(tehranBranch(3), TEHRAN, "T3")
                .branch(tehranBranch(4), TEHRAN, "T4")
                .branch(taleqanBranch(1), TALEQAN, "Q1")
                .build();
        assertEquals(4_000, e.capacity(tehranBranch(1)));
        assertEquals(6_750, e.capacity(tehranBranch(2)), "ceil(3 * 9,000 / 4)");
        assertEquals(0, e.capacity(taleqanBranch(1)), "a constituency without voters");
        assertEquals(-1, e.capacity("nowhere"));
        assertEquals(-1, e.capacity(karajBranch(1)));
        Election small = smallElection("s"); // Karaj 20 branches / 30,000; Taleqan 2 / 1,500; Tehran 5 / 9,000
        assertEquals(4_500, small.capacity(karajBranch(7)));
        assertEquals(1_500, small.capacity(taleqanBranch(2)));
        assertEquals(5_400, small.capacity(tehranBranch(5)));
    }

    @Test
    void catalogCapacityAtAgreesWithElectionCapacityForEveryBranch() {
        Election national = ReferenceGenerator.generate(Params.national());
        Election undeclared = smallElection("a-small-one"); // sorts before the national one; no branch declares
        ElectionCatalog catalog = ElectionCatalog.of(national, undeclared);
        assertEquals(national.branchCount() + undeclared.branchCount(), catalog.branchCount());
        Map<String, Election> byId = new HashMap<>(Map.of(national.id(), national, undeclared.id(), undeclared));
        int declared = 0;
        for (int i = 0; i < catalog.branchCount(); i++) {
            Election e = byId.get(catalog.electionIdAt(i));
            Branch b = e.branch(catalog.branchIdAt(i)).orElseThrow();
            long expected = BranchCapacity.of(b, e.constituency(b.constituencyId()).orElseThrow());
            assertEquals(expected, e.capacity(b.id()), b.id());
            assertEquals(expected, catalog.capacityAt(i), b.id());
            if (b.declaresEligibleVoters()) {
                declared++;
                assertEquals(b.eligibleVoters(), catalog.capacityAt(i));
            }
        }
        assertEquals(national.branchCount(), declared, "every generated branch declares, the hand-made ones do not");
    }

    @Test
    void capacitiesSurviveJavaSerialization() throws Exception {
        Election generated = ReferenceGenerator.generate(Params.national().withBranches(3_000).withConstituencies(40));
        Election copy = ReferenceFixtures.javaRoundTrip(generated);
        assertEquals(generated.branches(), copy.branches());
        assertTrue(copy.branches().stream().allMatch(Branch::declaresEligibleVoters));
        for (Branch b : generated.branches()) assertEquals(generated.capacity(b.id()), copy.capacity(b.id()));

        Election mixed = Election.builder("m").constituency("c", "C", "P", 10_000)
                .branch("b1", "c", "B1", 7).branch("b2", "c", "B2").branch("b3", "c", "B3", 0).branch("b4", "c", "B4").build();
        Election mixedCopy = ReferenceFixtures.javaRoundTrip(mixed);
        assertEquals(mixed.branches(), mixedCopy.branches());
        assertEquals(7, mixedCopy.capacity("b1"));
        assertEquals(7_500, mixedCopy.capacity("b2"));
        assertEquals(0, mixedCopy.capacity("b3"));

        ElectionCatalog catalog = ReferenceFixtures.javaRoundTrip(ElectionCatalog.of(generated, mixed));
        for (int i = 0; i < catalog.branchCount(); i++) {
            Election e = catalog.election(catalog.electionIdAt(i)).orElseThrow();
            assertEquals(e.capacity(catalog.branchIdAt(i)), catalog.capacityAt(i));
        }
    }
}
