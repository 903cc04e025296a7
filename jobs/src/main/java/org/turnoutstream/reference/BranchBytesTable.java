package org.turnoutstream.reference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every branch of a catalog found by the UTF-8 bytes of its election and branch ids as a record carries them, without
 * decoding them into strings: an open-addressing table of 64-bit hashes over those bytes, each slot with the branch's
 * index in the catalog ({@link ElectionCatalog#branchAt}); a hit is confirmed byte by byte. The decoders' fast path
 * ({@code org.turnoutstream.events.KnownBranchRecords}) asks it of nearly every record.
 *
 * <p>A branch whose ids or constituency id do not survive a round trip through UTF-8 (an unpaired surrogate) is left out:
 * its records take the full decoder, which compares the decoded strings.
 */
final class BranchBytesTable {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int mask;
    /** Two longs a slot: the hash, the branch's index + 1 (0: empty). */
    private final long[] slots;
    /** Per branch: where its election id's bytes, then its branch id's, then its constituency id's are in {@link #bytes}. */
    private final int[] at;
    private final int[] electionLength;
    private final int[] branchLength;
    private final int[] constituencyLength;
    private final byte[] bytes;

    /** {@code branches}: the catalog's, in index order. */
    BranchBytesTable(List<ElectionCatalog.ElectionBranch> branches) {
        int n = branches.size();
        int capacity = Integer.highestOneBit(Math.max(4, n * 2) - 1) << 1;
        mask = capacity - 1;
        slots = new long[capacity * 2];
        at = new int[n];
        electionLength = new int[n];
        branchLength = new int[n];
        constituencyLength = new int[n];
        List<byte[]> parts = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < n; i++) {
            ElectionCatalog.ElectionBranch b = branches.get(i);
            byte[] election = utf8(b.electionId()), branch = utf8(b.branch().id()), constituency = utf8(b.branch().constituencyId());
            at[i] = total;
            if (election == null || branch == null || constituency == null) {
                electionLength[i] = -1; // not in the table
                continue;
            }
            electionLength[i] = election.length;
            branchLength[i] = branch.length;
            constituencyLength[i] = constituency.length;
            parts.add(election);
            parts.add(branch);
            parts.add(constituency);
            total += election.length + branch.length + constituency.length;
        }
        bytes = new byte[total];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, bytes, offset, part.length);
            offset += part.length;
        }
        for (int i = 0; i < n; i++) {
            if (electionLength[i] < 0) continue;
            long hash = hash(bytes, at[i], electionLength[i], at[i] + electionLength[i], branchLength[i]);
            int slot = (int) hash & mask;
            while (slots[slot * 2 + 1] != 0) slot = (slot + 1) & mask;
            slots[slot * 2] = hash;
            slots[slot * 2 + 1] = i + 1;
        }
    }

    /** The index of the branch whose election and branch ids are these bytes, or -1. */
    int indexOf(byte[] record, int electionAt, int electionLen, int branchAt, int branchLen) {
        long hash = hash(record, electionAt, electionLen, branchAt, branchLen);
        for (int slot = (int) hash & mask; ; slot = (slot + 1) & mask) {
            long index = slots[slot * 2 + 1];
            if (index == 0) return -1;
            if (slots[slot * 2] == hash) {
                int i = (int) index - 1;
                int e = at[i];
                if (electionLength[i] == electionLen && branchLength[i] == branchLen
                        && Arrays.equals(bytes, e, e + electionLen, record, electionAt, electionAt + electionLen)
                        && Arrays.equals(bytes, e + electionLen, e + electionLen + branchLen, record, branchAt, branchAt + branchLen)) {
                    return i;
                }
            }
        }
    }

    /** Whether branch {@code index} belongs to the constituency whose id is these bytes. */
    boolean inConstituency(int index, byte[] record, int constituencyAt, int constituencyLen) {
        if (constituencyLength[index] != constituencyLen) return false;
        int c = at[index] + electionLength[index] + branchLength[index];
        return Arrays.equals(bytes, c, c + constituencyLen, record, constituencyAt, constituencyAt + constituencyLen);
    }

    /** FNV-1a over the election id's bytes, a separator and the branch id's bytes, then murmur3's finaliser. */
    static long hash(byte[] b, int electionAt, int electionLen, int branchAt, int branchLen) {
        long h = FNV_OFFSET;
        for (int i = electionAt, end = electionAt + electionLen; i < end; i++) h = (h ^ (b[i] & 0xff)) * FNV_PRIME;
        h = (h ^ 0x1f) * FNV_PRIME;
        for (int i = branchAt, end = branchAt + branchLen; i < end; i++) h = (h ^ (b[i] & 0xff)) * FNV_PRIME;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** The id's UTF-8 bytes, or null when they do not decode to the same id. */
    private static byte[] utf8(String id) {
        byte[] encoded = id.getBytes(StandardCharsets.UTF_8);
        return new String(encoded, StandardCharsets.UTF_8).equals(id) ? encoded : null;
    }
}
