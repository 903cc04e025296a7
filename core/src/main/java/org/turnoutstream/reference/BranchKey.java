package org.turnoutstream.reference;

/**
 * A branch's compact key: 64 bits computed from its election and branch ids, the key by which the live job partitions
 * and keeps the per-branch work (a {@code long} is hashed, compared and checkpointed far cheaper than the two ids as a
 * string). The same ids give the same key in every JVM and run (a checkpoint restores under it). {@link ElectionCatalog}
 * checks when it is built that no two of its branches share a key, and finds a branch by its key.
 */
public final class BranchKey {
    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;
    /** Between the two ids: ("ab", "c") and ("a", "bc") differ. */
    static final int SEPARATOR = 0x1f;

    private BranchKey() {}

    public static long of(String election, String branchId) {
        long h = FNV_OFFSET;
        for (int i = 0; i < election.length(); i++) h = (h ^ election.charAt(i)) * FNV_PRIME;
        h = (h ^ SEPARATOR) * FNV_PRIME;
        for (int i = 0; i < branchId.length(); i++) h = (h ^ branchId.charAt(i)) * FNV_PRIME;
        return mix(h);
    }

    /** murmur3's finaliser: every input bit reaches every bit of the key (and so the key group Flink takes from it). */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
