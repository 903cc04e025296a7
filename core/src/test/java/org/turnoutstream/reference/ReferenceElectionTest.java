package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.reference.ReferenceFixtures.EMPTY;
import static org.turnoutstream.reference.ReferenceFixtures.KARAJ;
import static org.turnoutstream.reference.ReferenceFixtures.TALEQAN;
import static org.turnoutstream.reference.ReferenceFixtures.TEHRAN;
import static org.turnoutstream.reference.ReferenceFixtures.karajBranch;
import static org.turnoutstream.reference.ReferenceFixtures.smallElection;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReferenceElectionTest {
    private final Election election = smallElection("2024-majlis-r1");

    @Test
    void looksUpBranchesAndConstituencies() {
        assertEquals("2024-majlis-r1", election.id());
        assertEquals(Optional.of(new Branch(karajBranch(17), KARAJ, "Karaj branch 17")), election.branch(karajBranch(17)));
        assertEquals(Optional.empty(), election.branch(karajBranch(21)));
        assertEquals(Optional.of(new Constituency(KARAJ, "Karaj", "Alborz", 30_000, 20)), election.constituency(KARAJ));
        assertEquals(Optional.empty(), election.constituency("nowhere"));
    }

    @Test
    void countsAndSumsPerProvinceAndNation() {
        assertEquals(List.of("Alborz", "Tehran"), election.provinces());
        assertEquals(List.of(EMPTY, KARAJ, TALEQAN, TEHRAN), election.constituencies().stream().map(Constituency::id).toList());
        assertEquals(List.of(EMPTY, KARAJ, TALEQAN), election.constituenciesIn("Alborz").stream().map(Constituency::id).toList());
        assertEquals(41_200, election.eligibleVoters());
        assertEquals(32_200, election.eligibleVoters("Alborz"));
        assertEquals(9_000, election.eligibleVoters("Tehran"));
        assertEquals(27, election.branchCount());
        assertEquals(22, election.branchCount("Alborz"));
        assertEquals(5, election.branchCount("Tehran"));
        assertEquals(20, election.branchesIn(KARAJ).size());
        assertEquals(27, election.branches().size());
    }

    @Test
    void aConstituencyWithoutBranchesCountsZero() {
        assertEquals(0, election.constituency(EMPTY).orElseThrow().branchCount());
        assertEquals(List.of(), election.branchesIn(EMPTY));
    }

    @Test
    void unknownProvinceIsEmptyAndZero() {
        assertEquals(List.of(), election.constituenciesIn("Qom"));
        assertEquals(0, election.eligibleVoters("Qom"));
        assertEquals(0, election.branchCount("Qom"));
    }

    @Test
    void isImmutable() {
        assertThrows(UnsupportedOperationException.class, () -> election.constituencies().clear());
        assertThrows(UnsupportedOperationException.class, () -> election.provinces().add("Qom"));
        assertThrows(UnsupportedOperationException.class, () -> election.constituenciesIn("Alborz").clear());
        assertThrows(UnsupportedOperationException.class, () -> election.branchesIn(KARAJ).clear());
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        Election copy = ReferenceFixtures.javaRoundTrip(election);
        assertEquals(election.id(), copy.id());
        assertEquals(election.constituencies(), copy.constituencies());
        assertEquals(election.branches(), copy.branches());
        assertEquals(election.branch(karajBranch(17)), copy.branch(karajBranch(17)));
        assertEquals(32_200, copy.eligibleVoters("Alborz"));
        assertEquals(22, copy.branchCount("Alborz"));
    }

    @Test
    void builderValidatesLikeTheLoader() {
        assertEquals("duplicate constituency_id 'k'", assertThrows(ReferenceDataException.class,
                () -> Election.builder("e").constituency("k", "K", "P", 1).constituency("k", "K2", "P", 2)).getMessage());
        assertEquals("duplicate branch_id 'b'", assertThrows(ReferenceDataException.class,
                () -> Election.builder("e").branch("b", "k", "B").branch("b", "k", "B"))
                .getMessage());
        assertEquals("branch 'b' references unknown constituency 'k'", assertThrows(ReferenceDataException.class,
                () -> Election.builder("e").branch("b", "k", "B").build()).getMessage());
        assertEquals("empty constituency_id", assertThrows(ReferenceDataException.class,
                () -> Election.builder("e").constituency("", "K", "P", 1)).getMessage());
        assertEquals("eligible_voters -1 of constituency 'k' is negative", assertThrows(ReferenceDataException.class,
                () -> Election.builder("e").constituency("k", "K", "P", -1)).getMessage());
        assertEquals("empty election id",
                assertThrows(ReferenceDataException.class, () -> Election.builder(" ")).getMessage());
        assertTrue(Election.builder("e").build().constituencies().isEmpty());
    }
}
