package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.ReferenceGenerator.Params;

class ReferenceGeneratorTest {

    @Test
    void nationalScaleHasExactTotalsAndIsFast(@TempDir Path dir) {
        long start = System.nanoTime();
        Election generated = ReferenceGenerator.generateTo(Params.national(), dir);
        Election loaded = Election.load("national", dir);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "generate + write + load took " + took);

        for (Election e : List.of(generated, loaded)) {
            assertEquals(60_000, e.branchCount());
            assertEquals(200, e.constituencies().size());
            assertEquals(60_000_000L, e.eligibleVoters());
            assertEquals(31, e.provinces().size());
            assertEquals(60_000_000L, e.provinces().stream().mapToLong(e::eligibleVoters).sum());
            assertEquals(60_000, e.provinces().stream().mapToInt(e::branchCount).sum());
        }
        assertTrue(generated.provinces().contains("Tehran") && generated.provinces().contains("Ilam"));
    }

    @Test
    void nationalSizesVaryRealistically() {
        Election e = ReferenceGenerator.generate(Params.national());
        long[] eligible = e.constituencies().stream().mapToLong(Constituency::eligibleVoters).sorted().toArray();
        long median = eligible[eligible.length / 2];
        long biggest = eligible[eligible.length - 1];
        assertTrue(biggest > 10 * median, "a few big urban constituencies: biggest " + biggest + ", median " + median);
        long urban = Arrays.stream(eligible).filter(v -> v > 3 * median).count();
        assertTrue(urban >= 10 && urban <= 40, "urban constituencies: " + urban);
        for (Constituency c : e.constituencies()) {
            assertTrue(c.branchCount() >= 1, c.toString());
            double perBranch = (double) c.eligibleVoters() / c.branchCount();
            assertTrue(perBranch >= 500 && perBranch <= 2_000, c + ": " + perBranch + " voters per branch");
        }
        assertTrue(e.eligibleVoters("Tehran") > 5 * e.eligibleVoters("Ilam"));
        assertTrue(e.constituenciesIn("Tehran").size() > e.constituenciesIn("Ilam").size());
    }

    @Test
    void branchElectoratesAddUpExactlyToEachConstituencys() {
        for (Params params : List.of(Params.national(), Params.alborz(), Params.national().withBranches(1_000)
                .withConstituencies(50).withProvinces(40).withEligibleVoters(1_234_567).withSeed(99),
                Params.national().withBranches(3).withConstituencies(3).withProvinces(1).withEligibleVoters(0))) {
            Election e = ReferenceGenerator.generate(params);
            for (Constituency c : e.constituencies()) {
                List<Branch> branches = e.branchesIn(c.id());
                assertTrue(branches.stream().allMatch(Branch::declaresEligibleVoters), c.id());
                assertEquals(c.eligibleVoters(), branches.stream().mapToLong(Branch::eligibleVoters).sum(), params + " " + c.id());
                double average = (double) c.eligibleVoters() / branches.size();
                for (Branch b : branches) {
                    // weights 0.6-1.4: at most 1.4 / 0.6 of the average, at least 0.6 / 1.4 of it (and 1 for rounding)
                    assertTrue(b.eligibleVoters() <= Math.ceil(average * 1.4 / 0.6) + 1, b + " average " + average);
                    assertTrue(b.eligibleVoters() >= Math.floor(average * 0.6 / 1.4) - 1, b + " average " + average);
                    assertTrue(b.eligibleVoters() <= e.capacity(b.id()) && e.capacity(b.id()) == b.eligibleVoters());
                }
            }
        }
    }

    @Test
    void idsAndNames() {
        Election e = ReferenceGenerator.generate(Params.national());
        Constituency tehran = e.constituency("teh-01").orElseThrow();
        assertEquals("Tehran (synthetic)", tehran.name());
        assertEquals("Tehran", tehran.province());
        assertEquals("Tehran branch 0001 (synthetic)", e.branch("teh-01-0001").orElseThrow().name());
        assertEquals("Ilam district 02 (synthetic)", e.constituency("ila-02").orElseThrow().name());
        assertTrue(e.branches().stream().allMatch(b -> b.name().endsWith("(synthetic)")));
    }

    @Test
    void sameSeedGivesIdenticalFilesOtherSeedDoesNot(@TempDir Path dir) throws IOException {
        Params params = Params.national().withSeed(7);
        ReferenceGenerator.generateTo(params, dir.resolve("a"));
        ReferenceGenerator.generateTo(params, dir.resolve("b"));
        ReferenceGenerator.generateTo(params.withSeed(8), dir.resolve("c"));
        for (String file : List.of(Election.CONSTITUENCIES_FILE, Election.BRANCHES_FILE)) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)), Files.readAllBytes(dir.resolve("b").resolve(file)));
        }
        assertFalse(Arrays.equals(Files.readAllBytes(dir.resolve("a").resolve(Election.CONSTITUENCIES_FILE)),
                Files.readAllBytes(dir.resolve("c").resolve(Election.CONSTITUENCIES_FILE))));
    }

    @Test
    void loadingWhatWasWrittenRoundTrips(@TempDir Path dir) {
        Election generated = ReferenceGenerator.generateTo(Params.national().withBranches(5_000).withConstituencies(60), dir);
        Election loaded = Election.load("x", dir);
        assertEquals(generated.constituencies(), loaded.constituencies());
        assertEquals(generated.branches(), loaded.branches());
        assertEquals(generated.provinces(), loaded.provinces());
    }

    @Test
    void customSizesAreExactEvenBeyondTheKnownProvinces() {
        Election e = ReferenceGenerator.generate(Params.national().withBranches(1_000).withConstituencies(50)
                .withProvinces(40).withEligibleVoters(1_234_567).withSeed(99));
        assertEquals(1_000, e.branchCount());
        assertEquals(50, e.constituencies().size());
        assertEquals(40, e.provinces().size());
        assertEquals(1_234_567, e.eligibleVoters());
        assertTrue(e.provinces().contains("Province 40"));

        Election tiny = ReferenceGenerator.generate(Params.national().withBranches(3).withConstituencies(3)
                .withProvinces(1).withEligibleVoters(0));
        assertEquals(3, tiny.branchCount());
        assertEquals(0, tiny.eligibleVoters());
        assertTrue(tiny.constituencies().stream().allMatch(c -> c.branchCount() == 1));
    }

    @Test
    void alborzPresetScales() {
        Election e = ReferenceGenerator.generate(Params.alborz().withBranches(2_500).withEligibleVoters(2_000_001));
        assertEquals(2_500, e.branchCount());
        assertEquals(2_000_001, e.eligibleVoters());
        assertEquals(List.of("Alborz"), e.provinces());
    }

    @Test
    void badParameters() {
        assertEquals("branches (10) must be >= constituencies (200): every constituency gets a branch",
                assertThrows(IllegalArgumentException.class, () -> Params.national().withBranches(10).validate()).getMessage());
        assertEquals("constituencies (5) must be >= provinces (31): every province needs a constituency",
                assertThrows(IllegalArgumentException.class,
                        () -> ReferenceGenerator.generate(Params.national().withConstituencies(5))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Params.national().withEligibleVoters(-1).validate());
        assertThrows(IllegalArgumentException.class, () -> Params.national().withProvinces(0).validate());
        assertThrows(IllegalArgumentException.class, () -> Params.alborz().withConstituencies(9).validate());
    }

    @Test
    void apportionIsExactAndProportional() {
        assertArrayEquals(new long[] {34, 33, 33}, ReferenceGenerator.apportion(100, new double[] {1, 1, 1}, 0));
        assertArrayEquals(new long[] {1, 1, 8}, ReferenceGenerator.apportion(10, new double[] {0, 0, 1}, 1));
        assertArrayEquals(new long[] {2, 2}, ReferenceGenerator.apportion(4, new double[] {0, 0}, 0));
        double[] weights = {0.1, 3.7, 12.9, 0.0001, 7};
        for (long total : new long[] {0, 7, 999_999_937L, 60_000_000L}) {
            assertEquals(total, Arrays.stream(ReferenceGenerator.apportion(total, weights, 0)).sum());
        }
    }

    @Test
    void branchIdsAreUnique() {
        Election e = ReferenceGenerator.generate(Params.national());
        Set<String> ids = new HashSet<>();
        e.branches().forEach(b -> assertTrue(ids.add(b.id())));
        assertEquals(60_000, ids.size());
    }
}
