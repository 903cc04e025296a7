package org.turnoutstream.reference;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The validators' flat branch table against a plain map of the same branches (the reference). */
class BranchTableTest {

    @Test
    void answersAsAMapOfTheNationalBranchesDoes() {
        Election national = ReferenceGenerator.generate(ReferenceGenerator.Params.national());
        List<Branch> branches = national.branches();
        BranchTable table = new BranchTable(branches);
        HashMap<String, Branch> reference = new HashMap<>();
        for (Branch b : branches) reference.put(b.id(), b);
        List<String> constituencies = national.constituencies().stream().map(Constituency::id).toList();

        Random r = new Random(11);
        for (int i = 0; i < branches.size(); i++) {
            Branch b = branches.get(i);
            assertEquals(i, table.indexOf(b.id()));
            assertEquals(Election.Origin.KNOWN, table.origin(new String(b.id().toCharArray()), b.constituencyId()), b.id());
            String other = constituencies.get(r.nextInt(constituencies.size()));
            assertEquals(expected(reference, b.id(), other), table.origin(b.id(), other), b.id() + " in " + other);
        }
        // ids that are not branches: near misses of real ones, other shapes, the empty id
        for (int i = 0; i < 200_000; i++) {
            String real = branches.get(r.nextInt(branches.size())).id();
            String probe = switch (r.nextInt(5)) {
                case 0 -> real + (char) ('0' + r.nextInt(10));
                case 1 -> real.substring(0, r.nextInt(real.length()));
                case 2 -> real.substring(0, real.length() - 1) + (char) ('a' + r.nextInt(26));
                case 3 -> Integer.toString(r.nextInt(1_000_000));
                default -> real.toUpperCase();
            };
            String constituency = constituencies.get(r.nextInt(constituencies.size()));
            assertEquals(expected(reference, probe, constituency), table.origin(probe, constituency), probe);
            assertEquals(reference.containsKey(probe) ? branches.indexOf(reference.get(probe)) : -1, table.indexOf(probe), probe);
        }
    }

    /** Different ids with the same String hash ("Aa" and "BB") are told apart by their characters. */
    @Test
    void idsWithTheSameHashAreToldApart() {
        assertEquals("Aa".hashCode(), "BB".hashCode());
        List<Branch> branches = new ArrayList<>();
        branches.add(new Branch("xAa", "c1", "one"));
        branches.add(new Branch("xAaBB", "c2", "two"));
        BranchTable table = new BranchTable(branches);
        assertEquals(Election.Origin.KNOWN, table.origin("xAa", "c1"));
        assertEquals(Election.Origin.UNKNOWN_BRANCH, table.origin("xBB", "c1"));
        assertEquals(Election.Origin.KNOWN, table.origin("xAaBB", "c2"));
        assertEquals(Election.Origin.WRONG_CONSTITUENCY, table.origin("xAaBB", "c1"));
        assertEquals(Election.Origin.UNKNOWN_BRANCH, table.origin("xBBAa", "c2"));
        assertEquals(Election.Origin.UNKNOWN_BRANCH, table.origin("", "c1"));
        assertEquals(Election.Origin.UNKNOWN_BRANCH, new BranchTable(List.of()).origin("xAa", "c1"));
    }

    private static Election.Origin expected(HashMap<String, Branch> reference, String branchId, String constituencyId) {
        Branch b = reference.get(branchId);
        if (b == null) return Election.Origin.UNKNOWN_BRANCH;
        return b.constituencyId().equals(constituencyId) ? Election.Origin.KNOWN : Election.Origin.WRONG_CONSTITUENCY;
    }
}
