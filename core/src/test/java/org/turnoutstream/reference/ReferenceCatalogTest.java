package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.reference.ReferenceFixtures.karajBranch;
import static org.turnoutstream.reference.ReferenceFixtures.smallElection;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCatalogTest {

    @Test
    void parseSpec() {
        assertEquals(new ElectionSpec("2024-majlis-r1", Path.of("reference/alborz-synthetic")),
                ElectionCatalog.parseSpec("2024-majlis-r1=reference/alborz-synthetic"));
        assertEquals(new ElectionSpec("e", Path.of("/data/a=b")), ElectionCatalog.parseSpec(" e = /data/a=b "),
                "splits at the first '=' and strips spaces");
    }

    @Test
    void badSpecs() {
        String usage = "; expected id=dir, e.g. 2024-majlis-r1=reference/alborz-synthetic";
        assertEquals("election spec 'reference/alborz-synthetic' has no '='" + usage,
                assertThrows(ReferenceDataException.class, () -> ElectionCatalog.parseSpec("reference/alborz-synthetic")).getMessage());
        assertEquals("election spec '=reference/alborz-synthetic' has an empty id" + usage,
                assertThrows(ReferenceDataException.class, () -> ElectionCatalog.parseSpec("=reference/alborz-synthetic")).getMessage());
        assertEquals("election spec '2024-majlis-r1=' has an empty directory" + usage,
                assertThrows(ReferenceDataException.class, () -> ElectionCatalog.parseSpec("2024-majlis-r1=")).getMessage());
        assertEquals("election id 'r1' given twice (a and b)",
                assertThrows(ReferenceDataException.class, () -> ElectionCatalog.parseSpecs("r1=a", "r1=b")).getMessage());
    }

    @Test
    void parseSpecsKeepsOrder() {
        assertEquals(List.of("r2", "r1"), List.copyOf(ElectionCatalog.parseSpecs("r2=x", "r1=y").keySet()));
    }

    @Test
    void ofAndLookups() {
        ElectionCatalog catalog = ElectionCatalog.of(smallElection("2024-r2"), smallElection("2024-r1"));
        assertEquals(List.of("2024-r1", "2024-r2"), List.copyOf(catalog.electionIds()));
        assertEquals("2024-r2", catalog.election("2024-r2").orElseThrow().id());
        assertEquals(Optional.empty(), catalog.election("2020"));
        ElectionCatalog one = ElectionCatalog.of(smallElection("2024-r1")); // one election: compared, not hashed
        assertEquals("2024-r1", one.election("2024-r1").orElseThrow().id());
        assertEquals(Optional.empty(), one.election("2024-r2"));
        assertEquals(Optional.empty(), one.election("2024-r1 "));
        assertThrows(UnsupportedOperationException.class, () -> catalog.electionIds().add("x"));
        assertEquals("duplicate election id 'r1'", assertThrows(ReferenceDataException.class,
                () -> ElectionCatalog.of(smallElection("r1"), smallElection("r1"))).getMessage());
    }

    @Test
    void runOffReusesTheFirstRoundsDirectory(@TempDir Path dir) {
        Election first = smallElection("x");
        ReferenceGenerator.write(first, dir.resolve("alborz"));
        ElectionCatalog catalog = ElectionCatalog.loadSpecs(List.of(
                "2024-majlis-r1=" + dir.resolve("alborz"), "2024-majlis-r2=" + dir.resolve("./alborz")));
        assertEquals(Set.of("2024-majlis-r1", "2024-majlis-r2"), catalog.electionIds());
        Election r1 = catalog.election("2024-majlis-r1").orElseThrow();
        Election r2 = catalog.election("2024-majlis-r2").orElseThrow();
        assertEquals("2024-majlis-r2", r2.id());
        assertEquals(first.constituencies(), r2.constituencies());
        assertSame(r1.branches(), r2.branches(), "the directory is read once and its data shared");
        assertEquals(Optional.of("Karaj branch 17"), r2.branch(karajBranch(17)).map(Branch::name));
    }

    @Test
    void loadNamesTheElectionWhoseDirectoryIsMissing(@TempDir Path dir) {
        assertEquals("election 'r1': reference directory " + dir.resolve("none") + " does not exist or is not a directory",
                assertThrows(ReferenceDataException.class,
                        () -> ElectionCatalog.load(Map.of("r1", dir.resolve("none")))).getMessage());
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ElectionCatalog copy = ReferenceFixtures.javaRoundTrip(
                ElectionCatalog.of(smallElection("2024-r1"), smallElection("2024-r2")));
        assertEquals(List.of("2024-r1", "2024-r2"), List.copyOf(copy.electionIds()));
        assertTrue(copy.election("2024-r2").orElseThrow().branch(karajBranch(17)).isPresent());
    }

    /**
     * Flink keeps the serialized form of every function in its task's configuration for the task's life, and the live job
     * ships the catalog in a dozen functions: the national catalog must be small there, and read back the same.
     */
    @Test
    void theNationalCatalogShipsInAFewHundredKilobytesAndReadsBackTheSame() throws Exception {
        Election national = ReferenceGenerator.generate(ReferenceGenerator.Params.national());
        ElectionCatalog catalog = ElectionCatalog.of(national);
        byte[] shipped = serialize(catalog);
        assertTrue(shipped.length < 1_000_000, "the national catalog takes " + shipped.length + " bytes in a job graph");

        // another JVM: no instance of this catalog there yet, so it is rebuilt from the bytes
        ElectionCatalog copy;
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(shipped))) {
            copy = (ElectionCatalog) in.readObject();
        }
        Election read = copy.election(national.id()).orElseThrow();
        assertEquals(national.constituencies(), read.constituencies());
        assertEquals(national.branches(), read.branches());
        assertEquals(national.eligibleVoters(), read.eligibleVoters());
        assertEquals(national.provinces(), read.provinces());
        Branch some = national.branches().get(12_345);
        assertEquals(some, read.branch(some.id()).orElseThrow());
        assertEquals(national.branchesIn(some.constituencyId()), read.branchesIn(some.constituencyId()));
        assertEquals(national.eligibleVoters("Tehran"), read.eligibleVoters("Tehran"));
    }

    /**
     * The live job keys a branch's work by its compact key and finds the branch again by it in a timer: every branch of a
     * national catalog and a run-off that reuses its directory (the same branch ids) has its own key, also in a copy
     * shipped to another JVM, and the key of the same ids is the same in every run (a checkpoint restores under it).
     */
    @Test
    void everyBranchIsFoundByItsCompactKey() throws Exception {
        Election first = ReferenceGenerator.generate(ReferenceGenerator.Params.national());
        ElectionCatalog catalog = ElectionCatalog.of(first, first.withId("national-r2"));
        ElectionCatalog shipped;
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(
                serialize(catalog)))) {
            shipped = (ElectionCatalog) in.readObject();
        }
        java.util.HashSet<Long> keys = new java.util.HashSet<>();
        for (String election : List.of(first.id(), "national-r2")) {
            for (Branch branch : first.branches()) {
                long key = BranchKey.of(election, branch.id());
                assertTrue(keys.add(key), "a key of its own for " + election + "/" + branch.id());
                assertEquals(Optional.of(new ElectionCatalog.ElectionBranch(election, branch)), shipped.branchWithKey(key));
            }
        }
        assertEquals(2 * first.branchCount(), keys.size());
        assertEquals(Optional.empty(), shipped.branchWithKey(BranchKey.of("another-election", first.branches().get(0).id())));
        // the separator between the two ids counts: the same characters split differently are another branch
        assertTrue(BranchKey.of("ab", "c") != BranchKey.of("a", "bc"));
        // fixed by the ids alone (not by a JVM's string hashing or the catalog's order): a checkpoint taken by an earlier
        // run restores under the same keys
        assertEquals(1_281_145_973_386_828_603L, BranchKey.of("2024-majlis-r1", "alb-karaj-0017"));
    }

    /** A job ships the catalog in every function that uses it: a JVM keeps one copy of each loaded catalog, not one per function. */
    @Test
    void copiesOfOneCatalogShippedToAJvmAreOneInstanceThere() throws Exception {
        ElectionCatalog catalog = ElectionCatalog.of(smallElection("2024-r1"));
        byte[] decoderCopy = serialize(catalog);
        byte[] tallyCopy = serialize(catalog);
        ElectionCatalog first = deserialize(decoderCopy);
        ElectionCatalog second = deserialize(tallyCopy);
        assertSame(first, second, "one instance for every copy of the same catalog");
        assertTrue(second.election("2024-r1").orElseThrow().branch(karajBranch(17)).isPresent());
        assertEquals(Optional.empty(), second.election("2024-r2"), "a copy knows its one election too");

        ElectionCatalog other = ElectionCatalog.of(smallElection("2024-r1")); // loaded again: another catalog, maybe other data
        ElectionCatalog otherCopy = deserialize(serialize(other));
        assertTrue(otherCopy != first, "a catalog loaded separately is not taken for another");
    }

    /** Java serialization, as Flink ships a function's fields to a TaskManager. */
    private static byte[] serialize(Object object) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <T> T deserialize(byte[] bytes) throws Exception {
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return (T) in.readObject();
        }
    }
}
