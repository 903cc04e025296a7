package org.turnoutstream.reference;

import java.util.HashMap;
import java.util.List;

/**
 * One election's branches in a flat open-addressing table, for the question every record asks (is this a branch of the
 * election, in the constituency the record names?). A {@code HashMap<String, Branch>} answered it through five objects
 * scattered over the heap (node, key, key bytes, branch, its constituency id), each a cache miss over 60,000 branches:
 * here a slot holds the id's hash, where its characters are and its constituency's number, so an answer reads one slot
 * and one run of characters. The constituency ids are a few hundred strings, always in cache.
 */
final class BranchTable {
    private static final int STRIDE = 4;
    private static final int HASH = 0, BRANCH = 1, ID_AT = 2, CONSTITUENCY = 3;

    private final int mask;
    /** Per slot: the id's hash, the branch's index + 1 (0: empty slot), where the id is in {@link #ids}, its constituency. */
    private final int[] slots;
    /** Every branch id as its length (one char) and its characters. */
    private final char[] ids;
    private final String[] constituencyIds;

    BranchTable(List<Branch> branches) {
        int capacity = Integer.highestOneBit(Math.max(4, branches.size() * 2) - 1) << 1; // load at most 1/2
        mask = capacity - 1;
        slots = new int[capacity * STRIDE];
        HashMap<String, Integer> constituencies = new HashMap<>();
        int chars = 0;
        for (Branch b : branches) chars += 1 + b.id().length();
        ids = new char[chars];
        int at = 0;
        for (int i = 0; i < branches.size(); i++) {
            String id = branches.get(i).id();
            if (id.length() > Character.MAX_VALUE) throw new ReferenceDataException("branch id longer than 65,535 characters: " + id.substring(0, 40) + "...");
            Integer constituency = constituencies.computeIfAbsent(branches.get(i).constituencyId(), k -> constituencies.size());
            int hash = hash(id);
            int slot = hash & mask;
            while (slots[slot * STRIDE + BRANCH] != 0) slot = (slot + 1) & mask;
            int o = slot * STRIDE;
            slots[o + HASH] = hash;
            slots[o + BRANCH] = i + 1;
            slots[o + ID_AT] = at;
            slots[o + CONSTITUENCY] = constituency;
            ids[at++] = (char) id.length();
            id.getChars(0, id.length(), ids, at);
            at += id.length();
        }
        constituencyIds = new String[constituencies.size()];
        constituencies.forEach((id, n) -> constituencyIds[n] = id);
    }

    Election.Origin origin(String branchId, String constituencyId) {
        int slot = find(branchId);
        if (slot < 0) return Election.Origin.UNKNOWN_BRANCH;
        return constituencyIds[slots[slot * STRIDE + CONSTITUENCY]].equals(constituencyId) ? Election.Origin.KNOWN : Election.Origin.WRONG_CONSTITUENCY;
    }

    /** The index of the branch with this id in the list the table was built from, or -1. */
    int indexOf(String branchId) {
        int slot = find(branchId);
        return slot < 0 ? -1 : slots[slot * STRIDE + BRANCH] - 1;
    }

    private int find(String id) {
        int hash = hash(id);
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int o = slot * STRIDE;
            if (slots[o + BRANCH] == 0) return -1;
            if (slots[o + HASH] == hash && sameId(slots[o + ID_AT], id)) return slot;
        }
    }

    private boolean sameId(int at, String id) {
        int length = ids[at];
        if (length != id.length()) return false;
        for (int i = 0; i < length; i++) if (ids[at + 1 + i] != id.charAt(i)) return false;
        return true;
    }

    private static int hash(String id) {
        int h = id.hashCode();
        return h ^ (h >>> 16);
    }
}
