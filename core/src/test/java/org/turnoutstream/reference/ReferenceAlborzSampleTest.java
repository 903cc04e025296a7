package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.reference.ReferenceFixtures.alborzSample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped sample reference/alborz-synthetic. */
class ReferenceAlborzSampleTest {
    private final Election alborz = ElectionCatalog.loadSpecs(List.of("2024-majlis-r1=" + alborzSample()))
            .election("2024-majlis-r1").orElseThrow();

    @Test
    void countsAndSums() {
        assertEquals(List.of("Alborz"), alborz.provinces());
        assertEquals(8, alborz.constituencies().size());
        assertEquals(8, alborz.constituenciesIn("Alborz").size());
        assertEquals(2_700, alborz.branchCount());
        assertEquals(2_700, alborz.branchCount("Alborz"));
        assertEquals(2_100_000, alborz.eligibleVoters());
        assertEquals(2_100_000, alborz.eligibleVoters("Alborz"));
        assertEquals(2_700, alborz.constituencies().stream().mapToInt(Constituency::branchCount).sum());
        assertEquals(List.of("alb-eshtehard", "alb-fardis", "alb-kamalshahr", "alb-karaj", "alb-mohammadshahr",
                        "alb-nazarabad", "alb-savojbolagh", "alb-taleqan"),
                alborz.constituencies().stream().map(Constituency::id).toList());
    }

    @Test
    void karajIsTheBulk() {
        Constituency karaj = alborz.constituency("alb-karaj").orElseThrow();
        assertEquals(new Constituency("alb-karaj", "Karaj", "Alborz", 1_315_000, 1_585), karaj);
        assertTrue(karaj.eligibleVoters() * 2 > alborz.eligibleVoters());
        assertEquals(new Constituency("alb-taleqan", "Taleqan", "Alborz", 22_000, 43),
                alborz.constituency("alb-taleqan").orElseThrow());
    }

    @Test
    void branchLookups() {
        assertEquals(Optional.of(new Branch("alb-karaj-0017", "alb-karaj", "Karaj branch 0017 (synthetic)", 851)),
                alborz.branch("alb-karaj-0017"));
        assertEquals(Optional.of(new Branch("alb-karaj-1585", "alb-karaj", "Karaj branch 1585 (synthetic)", 711)),
                alborz.branch("alb-karaj-1585"));
        assertEquals(Optional.empty(), alborz.branch("alb-karaj-1586"));
        assertTrue(alborz.branches().stream().allMatch(b -> b.name().endsWith("(synthetic)")));
    }

    @Test
    void everyBranchDeclaresItsEligibleVotersAndTheyAddUpPerConstituency() {
        for (Constituency c : alborz.constituencies()) {
            List<Branch> branches = alborz.branchesIn(c.id());
            assertTrue(branches.stream().allMatch(Branch::declaresEligibleVoters), c.id());
            assertEquals(c.eligibleVoters(), branches.stream().mapToLong(Branch::eligibleVoters).sum(), c.id());
            for (Branch b : branches) assertEquals(b.eligibleVoters(), alborz.capacity(b.id()), b.id());
        }
    }

    @Test
    void votersPerBranchArePlausible() {
        for (Constituency c : alborz.constituencies()) {
            double perBranch = (double) c.eligibleVoters() / c.branchCount();
            assertTrue(perBranch >= 500 && perBranch <= 2_000, c + ": " + perBranch);
        }
    }

    @Test
    void isLabelledSynthetic() throws IOException {
        assertTrue(alborzSample().getFileName().toString().contains("synthetic"));
        assertTrue(Files.readString(alborzSample().resolve("README.md")).contains("SYNTHETIC"));
    }

    @Test
    void isExactlyWhatTheGeneratorWrites(@TempDir Path dir) throws IOException {
        ReferenceGenerator.generateTo(ReferenceGenerator.Params.alborz().withSeed(1403), dir);
        for (String file : List.of(Election.CONSTITUENCIES_FILE, Election.BRANCHES_FILE)) {
            assertArrayEquals(Files.readAllBytes(alborzSample().resolve(file)), Files.readAllBytes(dir.resolve(file)), file);
        }
    }
}
