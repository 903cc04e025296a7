package org.turnoutstream.functions;

import java.util.Arrays;

/** Ballots and reporting branches per grid instant, sorted by instant (a small flat map for keyed state). */
public class InstantTotals {
    public long[] instants = new long[0];
    public long[] ballots = new long[0];
    public long[] reporting = new long[0];
    public int size;

    public InstantTotals() {}

    public int count() { return size; }

    public long firstInstant() { return size == 0 ? Long.MAX_VALUE : instants[0]; }

    public long instantAt(int i) { return instants[i]; }
    public long ballotsAt(int i) { return ballots[i]; }
    public long reportingAt(int i) { return reporting[i]; }

    /** Index of the instant, or -1. */
    public int indexOf(long instant) {
        int i = Arrays.binarySearch(instants, 0, size, instant);
        return i >= 0 ? i : -1;
    }

    /** Adds to the values at an instant, creating it at zero if absent. */
    public void add(long instant, long ballotsDelta, long reportingDelta) {
        int i = Arrays.binarySearch(instants, 0, size, instant);
        if (i < 0) {
            i = -i - 1;
            ensureCapacity(size + 1);
            System.arraycopy(instants, i, instants, i + 1, size - i);
            System.arraycopy(ballots, i, ballots, i + 1, size - i);
            System.arraycopy(reporting, i, reporting, i + 1, size - i);
            instants[i] = instant;
            ballots[i] = 0;
            reporting[i] = 0;
            size++;
        }
        ballots[i] += ballotsDelta;
        reporting[i] += reportingDelta;
    }

    /** Sets the values at an instant later than every one held. */
    public void append(long instant, long ballotsValue, long reportingValue) {
        if (size > 0 && instants[size - 1] >= instant) throw new IllegalStateException("instants must increase");
        ensureCapacity(size + 1);
        instants[size] = instant;
        ballots[size] = ballotsValue;
        reporting[size] = reportingValue;
        size++;
    }

    /** Adds to every held instant at or after {@code from}. */
    public void addFrom(long from, long ballotsDelta, long reportingDelta) {
        for (int i = size - 1; i >= 0 && instants[i] >= from; i--) {
            ballots[i] += ballotsDelta;
            reporting[i] += reportingDelta;
        }
    }

    /** Removes the first entry if it is at the given instant; returns its index 0 or -1. */
    public boolean removeIfFirst(long instant, long[] into) {
        if (size == 0 || instants[0] != instant) return false;
        into[0] = ballots[0];
        into[1] = reporting[0];
        removeBefore(instant + 1);
        return true;
    }

    /** Drops every instant before the cutoff. */
    public void removeBefore(long cutoff) {
        int n = 0;
        while (n < size && instants[n] < cutoff) n++;
        if (n == 0) return;
        System.arraycopy(instants, n, instants, 0, size - n);
        System.arraycopy(ballots, n, ballots, 0, size - n);
        System.arraycopy(reporting, n, reporting, 0, size - n);
        size -= n;
    }

    private void ensureCapacity(int needed) {
        if (instants.length >= needed) return;
        int capacity = Math.max(needed, Math.max(4, instants.length * 2));
        instants = Arrays.copyOf(instants, capacity);
        ballots = Arrays.copyOf(ballots, capacity);
        reporting = Arrays.copyOf(reporting, capacity);
    }
}
