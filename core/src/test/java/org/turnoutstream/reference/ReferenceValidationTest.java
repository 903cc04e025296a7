package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every validation error of {@link Election#load}, with the exact message (file and line). */
class ReferenceValidationTest {
    private static final String C_HEADER = "constituency_id,name,province,eligible_voters\n";
    private static final String B_HEADER = "branch_id,constituency_id,name\n";
    private static final String B4_HEADER = "branch_id,constituency_id,name,eligible_voters\n";
    private static final String GOOD_CONSTITUENCIES = C_HEADER
            + "alb-karaj,Karaj,Alborz,1315000\n"
            + "alb-taleqan,Taleqan,Alborz,22000\n";
    private static final String GOOD_BRANCHES = B_HEADER
            + "alb-karaj-0001,alb-karaj,Karaj branch 0001\n"
            + "alb-karaj-0002,alb-karaj,\"Karaj branch 0002, north\"\n"
            + "alb-taleqan-0001,alb-taleqan,Taleqan branch 0001\n";

    @TempDir
    Path dir;
    Path constituencies;
    Path branches;

    @BeforeEach
    void paths() {
        constituencies = dir.resolve("constituencies.csv");
        branches = dir.resolve("branches.csv");
    }

    private Election load(String constituencyCsv, String branchCsv) throws IOException {
        Files.writeString(constituencies, constituencyCsv);
        Files.writeString(branches, branchCsv);
        return Election.load("e", constituencies, branches);
    }

    private String error(String constituencyCsv, String branchCsv) {
        return assertThrows(ReferenceDataException.class, () -> load(constituencyCsv, branchCsv)).getMessage();
    }

    @Test
    void goodFilesLoad() throws IOException {
        Election e = load(GOOD_CONSTITUENCIES, GOOD_BRANCHES);
        assertEquals(1_337_000, e.eligibleVoters());
        assertEquals(3, e.branchCount());
        assertEquals("Karaj branch 0002, north", e.branch("alb-karaj-0002").orElseThrow().name());
    }

    @Test
    void branchesWithTheEligibleVotersColumnLoad() throws IOException {
        Election e = load(GOOD_CONSTITUENCIES, B4_HEADER
                + "alb-karaj-0001,alb-karaj,Karaj branch 0001,900\n"
                + "alb-karaj-0002,alb-karaj,\"Karaj branch 0002, north\",\n"
                + "alb-taleqan-0001,alb-taleqan,Taleqan branch 0001,0\n");
        assertEquals(new Branch("alb-karaj-0001", "alb-karaj", "Karaj branch 0001", 900), e.branch("alb-karaj-0001").orElseThrow());
        assertEquals(Branch.NOT_DECLARED, e.branch("alb-karaj-0002").orElseThrow().eligibleVoters(), "an empty cell declares nothing");
        assertEquals(0, e.branch("alb-taleqan-0001").orElseThrow().eligibleVoters());
        assertEquals(900, e.capacity("alb-karaj-0001"));
        assertEquals(1_315_000, e.capacity("alb-karaj-0002"), "not declared: the default bound (2 branches: the constituency)");
        assertEquals(0, e.capacity("alb-taleqan-0001"));
    }

    @Test
    void theOldThreeColumnFileLoadsWithoutDeclaredElectorates() throws IOException {
        Election e = load(GOOD_CONSTITUENCIES, GOOD_BRANCHES);
        assertTrue(e.branches().stream().noneMatch(Branch::declaresEligibleVoters));
        assertTrue(e.branches().stream().allMatch(b -> b.eligibleVoters() == Branch.NOT_DECLARED));
        assertEquals(22_000, e.capacity("alb-taleqan-0001"));
    }

    @Test
    void branchElectoratesNeedNotAddUpToTheConstituencys() throws IOException {
        Election e = load(GOOD_CONSTITUENCIES, B4_HEADER + "alb-taleqan-0001,alb-taleqan,T1,30000\nalb-taleqan-0002,alb-taleqan,T2,5\n");
        assertEquals(30_000, e.capacity("alb-taleqan-0001"), "registers differ: only each cell is checked");
    }

    @Test
    void badBranchEligibleVoters() {
        assertEquals(branches + ":3: eligible_voters -5 is negative",
                error(GOOD_CONSTITUENCIES, B4_HEADER + "a,alb-karaj,A,5\nb,alb-karaj,B,-5\n"));
        assertEquals(branches + ":2: eligible_voters 'many' is not a number (expected a whole number >= 0, digits only)",
                error(GOOD_CONSTITUENCIES, B4_HEADER + "a,alb-karaj,A,many\n"));
        assertEquals(branches + ":2: eligible_voters ' 5' is not a number (expected a whole number >= 0, digits only)",
                error(GOOD_CONSTITUENCIES, B4_HEADER + "a,alb-karaj,A, 5\n"));
        assertEquals(branches + ":2: eligible_voters '1.5' is not a number (expected a whole number >= 0, digits only)",
                error(GOOD_CONSTITUENCIES, B4_HEADER + "a,alb-karaj,A,1.5\n"));
        assertEquals(branches + ":2: eligible_voters '99999999999999999999' is out of range",
                error(GOOD_CONSTITUENCIES, B4_HEADER + "a,alb-karaj,A,99999999999999999999\n"));
        assertEquals(branches + ":2: missing columns: expected 4 (branch_id,constituency_id,name,eligible_voters) but found 3",
                error(GOOD_CONSTITUENCIES, B4_HEADER + "a,alb-karaj,A\n"));
        assertEquals(branches + ":3: extra columns: expected 3 (branch_id,constituency_id,name) but found 4"
                        + " (quote fields that contain commas)",
                error(GOOD_CONSTITUENCIES, B_HEADER + "a,alb-karaj,A\nb,alb-karaj,B,5\n"));
        assertEquals("eligible_voters -2 of branch 'b' is negative", assertThrows(ReferenceDataException.class,
                () -> Election.builder("e").constituency("k", "K", "P", 1).branch("b", "k", "B", -2)).getMessage());
    }

    @Test
    void constituencyWithoutBranchesIsAllowed() throws IOException {
        Election e = load(GOOD_CONSTITUENCIES + "alb-new,New,Alborz,5\n", GOOD_BRANCHES);
        assertEquals(0, e.constituency("alb-new").orElseThrow().branchCount());
        assertEquals(1_337_005, e.eligibleVoters("Alborz"));
    }

    @Test
    void crlfBomAndQuotedHeaderAreFine() throws IOException {
        Election e = load("\uFEFF" + GOOD_CONSTITUENCIES.replace("\n", "\r\n"),
                "\"branch_id\",\"constituency_id\",\"name\"\r\n" + GOOD_BRANCHES.substring(B_HEADER.length()));
        assertEquals(3, e.branchCount());
    }

    @Test
    void missingColumns() {
        assertEquals(constituencies + ":3: missing columns: expected 4 (constituency_id,name,province,eligible_voters) but found 3",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,1\nalb-taleqan,Taleqan,22000\n", GOOD_BRANCHES));
        assertEquals(branches + ":2: missing columns: expected 3 (branch_id,constituency_id,name) but found 2",
                error(GOOD_CONSTITUENCIES, B_HEADER + "alb-karaj-0001,alb-karaj\n"));
    }

    @Test
    void extraColumns() {
        assertEquals(constituencies + ":2: extra columns: expected 4 (constituency_id,name,province,eligible_voters)"
                        + " but found 5 (quote fields that contain commas)",
                error(C_HEADER + "alb-karaj,Karaj, Alborz,Alborz,1\n", GOOD_BRANCHES));
        assertEquals(branches + ":5: extra columns: expected 3 (branch_id,constituency_id,name)"
                        + " but found 4 (quote fields that contain commas)",
                error(GOOD_CONSTITUENCIES, GOOD_BRANCHES + "alb-karaj-0003,alb-karaj,Karaj, south\n"));
    }

    @Test
    void wrongHeader() {
        assertEquals(constituencies + ":1: wrong header 'id,name,province,eligible_voters';"
                        + " expected 'constituency_id,name,province,eligible_voters'",
                error("id,name,province,eligible_voters\nalb-karaj,Karaj,Alborz,1\n", GOOD_BRANCHES));
        assertEquals(branches + ":1: wrong header 'constituency_id,branch_id,name'; expected"
                        + " 'branch_id,constituency_id,name,eligible_voters' (or 'branch_id,constituency_id,name')",
                error(GOOD_CONSTITUENCIES, "constituency_id,branch_id,name\n"));
        assertEquals(branches + ":1: wrong header 'branch_id,constituency_id,name,voters'; expected"
                        + " 'branch_id,constituency_id,name,eligible_voters' (or 'branch_id,constituency_id,name')",
                error(GOOD_CONSTITUENCIES, "branch_id,constituency_id,name,voters\n"));
        assertEquals(constituencies + ":1: wrong header 'alb-karaj,Karaj,Alborz,1';"
                        + " expected 'constituency_id,name,province,eligible_voters'",
                error("alb-karaj,Karaj,Alborz,1\n", GOOD_BRANCHES));
    }

    @Test
    void emptyFile() {
        assertEquals(branches + ": file is empty; expected the header row 'branch_id,constituency_id,name,eligible_voters'"
                        + " (or 'branch_id,constituency_id,name')",
                error(GOOD_CONSTITUENCIES, ""));
    }

    @Test
    void emptyIds() {
        assertEquals(constituencies + ":3: empty constituency_id",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,1\n,Nameless,Alborz,2\n", GOOD_BRANCHES));
        assertEquals(branches + ":3: empty branch_id",
                error(GOOD_CONSTITUENCIES, B_HEADER + "alb-karaj-0001,alb-karaj,K\n  ,alb-karaj,K\n"));
        assertEquals(branches + ":2: empty constituency_id of branch 'alb-karaj-0001'",
                error(GOOD_CONSTITUENCIES, B_HEADER + "alb-karaj-0001,,K\n"));
        assertEquals(constituencies + ":2: empty province of constituency 'alb-karaj'",
                error(C_HEADER + "alb-karaj,Karaj,,1\n", GOOD_BRANCHES));
    }

    @Test
    void idsWithSurroundingSpaces() {
        assertEquals(constituencies + ":2: constituency_id 'alb-karaj ' has leading or trailing whitespace",
                error(C_HEADER + "alb-karaj ,Karaj,Alborz,1\n", GOOD_BRANCHES));
    }

    @Test
    void duplicateConstituency() {
        assertEquals(constituencies + ":4: duplicate constituency_id 'alb-karaj' (first defined at " + constituencies + ":2)",
                error(GOOD_CONSTITUENCIES + "alb-karaj,Karaj again,Alborz,5\n", GOOD_BRANCHES));
    }

    @Test
    void duplicateBranch() {
        assertEquals(branches + ":5: duplicate branch_id 'alb-karaj-0001' (first defined at " + branches + ":2)",
                error(GOOD_CONSTITUENCIES, GOOD_BRANCHES + "alb-karaj-0001,alb-taleqan,Moved\n"));
    }

    @Test
    void nonNumericEligibleVoters() {
        assertEquals(constituencies + ":3: eligible_voters 'many' is not a number (expected a whole number >= 0, digits only)",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,1\nalb-taleqan,Taleqan,Alborz,many\n", GOOD_BRANCHES));
        assertEquals(constituencies + ":2: eligible_voters '1,315,000' is not a number (expected a whole number >= 0, digits only)",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,\"1,315,000\"\n", GOOD_BRANCHES));
        assertEquals(constituencies + ":2: eligible_voters '' is not a number (expected a whole number >= 0, digits only)",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,\n", GOOD_BRANCHES));
        assertEquals(constituencies + ":2: eligible_voters '99999999999999999999' is out of range",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,99999999999999999999\n", GOOD_BRANCHES));
    }

    @Test
    void negativeEligibleVoters() {
        assertEquals(constituencies + ":2: eligible_voters -5 is negative",
                error(C_HEADER + "alb-karaj,Karaj,Alborz,-5\n", GOOD_BRANCHES));
    }

    @Test
    void branchOfUnknownConstituency() {
        assertEquals(branches + ":5: branch 'alb-hashtgerd-0001' references unknown constituency 'alb-hashtgerd'",
                error(GOOD_CONSTITUENCIES, GOOD_BRANCHES + "alb-hashtgerd-0001,alb-hashtgerd,Hashtgerd branch 0001\n"));
    }

    @Test
    void malformedCsvNamesFileAndLine() {
        assertEquals(branches + ":3: quoted field is not terminated",
                error(GOOD_CONSTITUENCIES, B_HEADER + "a,alb-karaj,A\nb,alb-karaj,\"B\n"));
    }

    @Test
    void missingFileAndDirectory() throws IOException {
        Files.writeString(constituencies, GOOD_CONSTITUENCIES);
        assertEquals(branches + ": file not found",
                assertThrows(ReferenceDataException.class, () -> Election.load("e", dir)).getMessage());
        Path nowhere = dir.resolve("nowhere");
        assertEquals("election 'e': reference directory " + nowhere + " does not exist or is not a directory",
                assertThrows(ReferenceDataException.class, () -> Election.load("e", nowhere)).getMessage());
    }
}
