package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;

/**
 * One branch's recent reports inside {@link IntegrityChecks}, sorted by sequence, with what was already
 * flagged about each. Only the newest {@link #CAPACITY} sequences within the trail horizon are kept
 * ({@link IntegrityRules}); older ones are summed up in {@link #floorSequence} and {@link #floorMaxBallots}.
 */
@TypeInfo(IntegrityStateSerializer.Factory.class)
public class IntegrityState extends PendingSignals {
    public static final long NONE = Long.MIN_VALUE;
    public static final int CAPACITY = 64;
    public static final byte REGRESSION = 1;
    public static final byte RATE = 2;
    public static final byte AFTER_CLOSE = 4;

    public String constituencyId;
    public long[] sequences = new long[8];
    public long[] ballots = new long[8];
    public long[] times = new long[8];
    public byte[] flags = new byte[8];
    public int size;
    /** The highest sequence dropped from the arrays (NONE if none): reports at or below it are not judged. */
    public long floorSequence = NONE;
    /** The highest count among the dropped reports (-1 if none). */
    public long floorMaxBallots = -1;
    /** When the branch sent CLOSED (NONE if it did not yet). */
    public long closedAt = NONE;
    /** When the trail is dropped (NONE if not known). */
    public long cleanupAt = NONE;
    /** False until a report or CLOSED was judged (or after the cleanup): the state may hold only pending signals. */
    public boolean started;
    /** In a CLOCK_SKEW episode: the last signal judged read ahead of its heard time (its alert was raised). */
    public boolean clockAhead;
    /** The key's one event-time timer (NONE if none): the first pending signal or the cleanup, whichever is first. */
    public long timerAt = NONE;

    public IntegrityState() {}

    /** Reads what judging a report reads first, for {@link BranchWorkFunction#prefetch}. */
    long touch() {
        int s = size;
        long t = touchPending() + timerAt;
        return s == 0 ? t : t + sequences[s - 1] + ballots[s - 1] + times[s - 1] + flags[s - 1];
    }

    /** Forgets the trail (the cleanup), keeping what is pending and the timer. */
    void resetTrail() {
        sequences = new long[8];
        ballots = new long[8];
        times = new long[8];
        flags = new byte[8];
        size = 0;
        floorSequence = NONE;
        floorMaxBallots = -1;
        closedAt = NONE;
        cleanupAt = NONE;
        started = false;
        clockAhead = false;
    }

    /**
     * The index of {@code sequence}, or {@code -(insertion point) - 1}. A sequence above the last (the next report of
     * a branch, most of them) is answered from the last one, which {@link #touch} read ahead: no search over the trail.
     */
    int indexOf(long sequence) {
        if (size == 0 || sequence > sequences[size - 1]) return -size - 1;
        return Arrays.binarySearch(sequences, 0, size, sequence);
    }

    void insert(int at, long sequence, long ballotsCast, long time) {
        if (size == sequences.length) {
            int grown = Math.min(CAPACITY + 1, size * 2);
            sequences = Arrays.copyOf(sequences, grown);
            ballots = Arrays.copyOf(ballots, grown);
            times = Arrays.copyOf(times, grown);
            flags = Arrays.copyOf(flags, grown);
        }
        System.arraycopy(sequences, at, sequences, at + 1, size - at);
        System.arraycopy(ballots, at, ballots, at + 1, size - at);
        System.arraycopy(times, at, times, at + 1, size - at);
        System.arraycopy(flags, at, flags, at + 1, size - at);
        sequences[at] = sequence;
        ballots[at] = ballotsCast;
        times[at] = time;
        flags[at] = 0;
        size++;
    }

    /**
     * Drops into the floor the oldest sequences beyond the capacity and those more than {@code horizonMillis} (event
     * time) older than the newest report kept; the newest sequence always stays.
     */
    void compact(long horizonMillis) {
        if (size == 0) return;
        int drop = Math.max(0, size - CAPACITY);
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) newest = Math.max(newest, times[i]);
        long cutoff = newest - horizonMillis;
        while (drop < size - 1 && times[drop] < cutoff) drop++;
        if (drop == 0) return;
        for (int i = 0; i < drop; i++) floorMaxBallots = Math.max(floorMaxBallots, ballots[i]);
        floorSequence = sequences[drop - 1];
        System.arraycopy(sequences, drop, sequences, 0, size - drop);
        System.arraycopy(ballots, drop, ballots, 0, size - drop);
        System.arraycopy(times, drop, times, 0, size - drop);
        System.arraycopy(flags, drop, flags, 0, size - drop);
        size -= drop;
    }
}
