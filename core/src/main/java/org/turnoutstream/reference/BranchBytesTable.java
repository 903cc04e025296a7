package org.turnoutstream.reference;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Every branch of a catalog found by the UTF-8 bytes of its election and branch ids as a record carries them, without
 * decoding them into strings: an open-addressing table of 64-bit hashes over those bytes. Built for the decoders' fast
 * path ({@code org.turnoutstream.events.KnownBranchRecords}), which asks it of nearly every record over tens of thousands
 * of branches, so an answer touches two places in memory: the slot (the hash, the branch's index and where its entry
 * is) and the entry, which holds everything else in one run of bytes: the branch's {@link BranchKey}, the three ids'
 * lengths and their bytes (election, branch, constituency). A hit is confirmed byte by byte.
 *
 * <p>A branch whose ids do not survive a round trip through UTF-8 (an unpaired surrogate) or are longer than 255 bytes is
 * left out: its records take the full decoder, which compares the decoded strings. Immutable; shared by every thread.
 */
final class BranchBytesTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** An entry: the key (8 bytes), the three lengths (a byte each), then the bytes. */
    private static final int KEY = 0, ELECTION_LENGTH = 8, BRANCH_LENGTH = 9, CONSTITUENCY_LENGTH = 10, IDS = 11;

    private final int mask;
    /** Two longs a slot: the hash; the branch's index + 1 (high half, 0: empty) and where its entry starts (low half). */
    private final long[] slots;
    private final byte[] entries;

    /** {@code branches}: the catalog's, in index order; {@code keys}: their {@link BranchKey}s. */
    BranchBytesTable(List<ElectionCatalog.ElectionBranch> branches, long[] keys) {
        int n = branches.size();
        int capacity = Integer.highestOneBit(Math.max(4, n * 2) - 1) << 1;
        mask = capacity - 1;
        slots = new long[capacity * 2];
        byte[][] ids = new byte[n * 3][];
        int total = 0;
        for (int i = 0; i < n; i++) {
            ElectionCatalog.ElectionBranch b = branches.get(i);
            ids[3 * i] = utf8(b.electionId());
            ids[3 * i + 1] = utf8(b.branch().id());
            ids[3 * i + 2] = utf8(b.branch().constituencyId());
            if (ids[3 * i] != null && ids[3 * i + 1] != null && ids[3 * i + 2] != null) {
                total += IDS + ids[3 * i].length + ids[3 * i + 1].length + ids[3 * i + 2].length;
            }
        }
        entries = new byte[total];
        int at = 0;
        for (int i = 0; i < n; i++) {
            byte[] election = ids[3 * i], branch = ids[3 * i + 1], constituency = ids[3 * i + 2];
            if (election == null || branch == null || constituency == null) continue;
            LONGS.set(entries, at + KEY, keys[i]);
            entries[at + ELECTION_LENGTH] = (byte) election.length;
            entries[at + BRANCH_LENGTH] = (byte) branch.length;
            entries[at + CONSTITUENCY_LENGTH] = (byte) constituency.length;
            System.arraycopy(election, 0, entries, at + IDS, election.length);
            System.arraycopy(branch, 0, entries, at + IDS + election.length, branch.length);
            System.arraycopy(constituency, 0, entries, at + IDS + election.length + branch.length, constituency.length);
            long hash = hash(election, 0, election.length, branch, 0, branch.length);
            int slot = (int) hash & mask;
            while (slots[slot * 2 + 1] != 0) slot = (slot + 1) & mask;
            slots[slot * 2] = hash;
            slots[slot * 2 + 1] = (long) (i + 1) << 32 | at;
            at += IDS + election.length + branch.length + constituency.length;
        }
    }

    /**
     * The branch whose election and branch ids are these bytes ({@code hash}: their {@link #hashOf}), as a handle for
     * {@link #index}, {@link #key} and {@link #inConstituency}; -1 when there is none.
     */
    long find(long hash, byte[] record, int electionAt, int electionLen, int branchAt, int branchLen) {
        for (int slot = (int) hash & mask; ; slot = (slot + 1) & mask) {
            long found = slots[slot * 2 + 1];
            if (found == 0) return -1;
            if (slots[slot * 2] == hash) {
                int e = (int) found;
                int eLen = entries[e + ELECTION_LENGTH] & 0xff, bLen = entries[e + BRANCH_LENGTH] & 0xff;
                if (eLen == electionLen && bLen == branchLen
                        && Arrays.equals(entries, e + IDS, e + IDS + eLen, record, electionAt, electionAt + eLen)
                        && Arrays.equals(entries, e + IDS + eLen, e + IDS + eLen + bLen, record, branchAt, branchAt + bLen)) {
                    return found;
                }
            }
        }
    }

    /** The hash {@link #find} looks these ids up by (computed without reading the table). */
    static long hashOf(byte[] record, int electionAt, int electionLen, int branchAt, int branchLen) {
        return hash(record, electionAt, electionLen, record, branchAt, branchLen);
    }

    /**
     * Reads the first slot {@link #find} reads for ids of this {@link #hashOf} (the hash kept there is in the same cache
     * line): for reading ahead; what it returns is only for {@link #touch}.
     */
    long probe(long hash) {
        return slots[((int) hash & mask) * 2 + 1];
    }

    /** Reads the entry of a slot {@link #probe} read (nothing if it was empty), its ids to their end; the value means nothing. */
    int touch(long probed) {
        if (probed == 0) return 0;
        int e = (int) probed;
        return entries[e + IDS + (entries[e + ELECTION_LENGTH] & 0xff) + (entries[e + BRANCH_LENGTH] & 0xff) - 1];
    }

    /** The catalog index of a branch {@link #find} found. */
    static int index(long found) {
        return (int) (found >>> 32) - 1;
    }

    /** The {@link BranchKey} of a branch {@link #find} found. */
    long key(long found) {
        return (long) LONGS.get(entries, (int) found + KEY);
    }

    /** Whether a branch {@link #find} found is in the constituency whose id is these bytes. */
    boolean inConstituency(long found, byte[] record, int constituencyAt, int constituencyLen) {
        int e = (int) found;
        if ((entries[e + CONSTITUENCY_LENGTH] & 0xff) != constituencyLen) return false;
        int c = e + IDS + (entries[e + ELECTION_LENGTH] & 0xff) + (entries[e + BRANCH_LENGTH] & 0xff);
        return Arrays.equals(entries, c, c + constituencyLen, record, constituencyAt, constituencyAt + constituencyLen);
    }

    /** {@link BranchKey}'s hash over the ids' UTF-8 bytes instead of their characters (the same for ASCII ids). */
    private static long hash(byte[] e, int electionAt, int electionLen, byte[] b, int branchAt, int branchLen) {
        long h = BranchKey.FNV_OFFSET;
        for (int i = electionAt, end = electionAt + electionLen; i < end; i++) h = (h ^ (e[i] & 0xff)) * BranchKey.FNV_PRIME;
        h = (h ^ BranchKey.SEPARATOR) * BranchKey.FNV_PRIME;
        for (int i = branchAt, end = branchAt + branchLen; i < end; i++) h = (h ^ (b[i] & 0xff)) * BranchKey.FNV_PRIME;
        return BranchKey.mix(h);
    }

    /** The id's UTF-8 bytes, or null when they do not decode to the same id or are too long for an entry. */
    private static byte[] utf8(String id) {
        byte[] encoded = id.getBytes(StandardCharsets.UTF_8);
        return encoded.length <= 255 && new String(encoded, StandardCharsets.UTF_8).equals(id) ? encoded : null;
    }
}
