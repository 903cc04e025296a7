package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One branch's reports, as a step function of event time: the count at T is the ballotsCast of the
 * highest-sequence report with eventTime <= T. Only reports that win somewhere are kept, so times and
 * sequences both strictly increase along the arrays. Reports older than the correction horizon are
 * compacted into the oldest kept entry.
 */
@TypeInfo(BranchHistorySerializer.Factory.class)
public final class BranchHistory {

    /** What a report did to the branch's count. */
    public enum Outcome { APPLIED, DUPLICATE, SUPERSEDED }

    /** A jump in the branch's count function, effective from {@code time}. */
    public record Step(long time, long ballots, int reporting) {}

    public long[] times;
    public long[] sequences;
    public long[] ballots;
    public int size;
    /** True once entries older than the first kept one were dropped: nothing is known before times[0]. */
    public boolean compacted;
    /** Every sequence ever seen, as sorted inclusive ranges [lo0, hi0, lo1, hi1, ...]: usually one range. */
    public long[] seenRanges = new long[0];
    public int seenLength;

    public BranchHistory() {
        this(new long[4], new long[4], new long[4], 0, false);
    }

    private BranchHistory(long[] times, long[] sequences, long[] ballots, int size, boolean compacted) {
        this.times = times;
        this.sequences = sequences;
        this.ballots = ballots;
        this.size = size;
        this.compacted = compacted;
    }

    public int size() { return size; }

    /** Reads the latest step and the seen ranges (what counting a report reads first), for {@link BranchWorkFunction#prefetch}. */
    long touch() {
        int s = size;
        long t = seenLength > 0 ? seenRanges[seenLength - 1] : 0;
        return s == 0 ? t : t + times[s - 1] + sequences[s - 1] + ballots[s - 1];
    }

    public boolean isEmpty() { return size == 0; }

    public long latestSequence() { return size == 0 ? Long.MIN_VALUE : sequences[size - 1]; }

    /** The count as of T, or -1 if the branch had not reported by then. */
    public long countAt(long t) {
        int i = lastAtOrBefore(t);
        return i < 0 ? -1 : ballots[i];
    }

    /**
     * Adds a report and fills the empty list {@code steps} with the jumps by which the branch's count function changed
     * (empty when nothing changed).
     */
    public Outcome add(long time, long sequence, long ballotsCast, List<Step> steps) {
        if (!markSeen(sequence)) return Outcome.DUPLICATE;
        if (compacted && time < times[0]) {
            // Before the compacted past nothing is known or re-emitted; what matters is from times[0] on.
            if (sequence < sequences[0]) return Outcome.SUPERSEDED;
            time = times[0];
        }
        int floor = lastAtOrBefore(time);
        if (floor >= 0 && sequences[floor] > sequence) return Outcome.SUPERSEDED;

        // The new report wins on [time, end): up to the first kept entry with a higher sequence.
        int firstReplaced = (floor >= 0 && times[floor] == time) ? floor : floor + 1;
        int end = firstReplaced;
        while (end < size && sequences[end] < sequence) end++;

        long oldAtTime = floor >= 0 ? ballots[floor] : 0;
        steps.add(new Step(time, ballotsCast - oldAtTime, floor >= 0 ? 0 : 1));
        long previousOld = oldAtTime;
        for (int k = floor + 1; k < end; k++) {
            // A shadowed report's own jump disappears.
            steps.add(new Step(times[k], -(ballots[k] - previousOld), 0));
            previousOld = ballots[k];
        }
        if (end < size) {
            steps.add(new Step(times[end], previousOld - ballotsCast, 0));
        }
        if (floor < 0 && size > 0) {
            // The branch now reports from `time` on instead of from its old first report.
            steps.add(new Step(times[0], 0, -1));
        }
        mergeSameTimeSteps(steps);
        replace(firstReplaced, end, time, sequence, ballotsCast);
        return Outcome.APPLIED;
    }

    /** Drops what no re-emitted point can need: entries superseded by a later one at or before cutoff. */
    public void compactBefore(long cutoff) {
        int keep = lastAtOrBefore(cutoff);
        if (keep <= 0) return;
        System.arraycopy(times, keep, times, 0, size - keep);
        System.arraycopy(sequences, keep, sequences, 0, size - keep);
        System.arraycopy(ballots, keep, ballots, 0, size - keep);
        size -= keep;
        compacted = true;
    }

    /** The event time of the newest kept report, or Long.MIN_VALUE. */
    public long latestTime() {
        return size == 0 ? Long.MIN_VALUE : times[size - 1];
    }

    /** Records a sequence as seen; false if it was seen before (a duplicate, whatever its event time). */
    boolean markSeen(long sequence) {
        int n = seenLength / 2;
        int lo = 0, hi = n - 1, at = n; // first range whose hi >= sequence
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (seenRanges[2 * mid + 1] >= sequence) { at = mid; hi = mid - 1; } else { lo = mid + 1; }
        }
        if (at < n && seenRanges[2 * at] <= sequence) return false;
        boolean joinsPrevious = at > 0 && seenRanges[2 * at - 1] == sequence - 1;
        boolean joinsNext = at < n && seenRanges[2 * at] == sequence + 1;
        if (joinsPrevious && joinsNext) {
            seenRanges[2 * at - 1] = seenRanges[2 * at + 1];
            System.arraycopy(seenRanges, 2 * at + 2, seenRanges, 2 * at, seenLength - 2 * at - 2);
            seenLength -= 2;
        } else if (joinsPrevious) {
            seenRanges[2 * at - 1] = sequence;
        } else if (joinsNext) {
            seenRanges[2 * at] = sequence;
        } else {
            if (seenLength + 2 > seenRanges.length) seenRanges = Arrays.copyOf(seenRanges, Math.max(4, seenRanges.length * 2));
            System.arraycopy(seenRanges, 2 * at, seenRanges, 2 * at + 2, seenLength - 2 * at);
            seenRanges[2 * at] = sequence;
            seenRanges[2 * at + 1] = sequence;
            seenLength += 2;
        }
        return true;
    }

    private int lastAtOrBefore(long t) {
        int lo = 0, hi = size - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (times[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        return found;
    }

    private void replace(int from, int to, long time, long sequence, long ballotsCast) {
        int removed = to - from;
        int newSize = size - removed + 1;
        if (newSize > times.length) {
            int capacity = Math.max(newSize, times.length * 2);
            times = Arrays.copyOf(times, capacity);
            sequences = Arrays.copyOf(sequences, capacity);
            ballots = Arrays.copyOf(ballots, capacity);
        }
        System.arraycopy(times, to, times, from + 1, size - to);
        System.arraycopy(sequences, to, sequences, from + 1, size - to);
        System.arraycopy(ballots, to, ballots, from + 1, size - to);
        times[from] = time;
        sequences[from] = sequence;
        ballots[from] = ballotsCast;
        size = newSize;
    }

    private static void mergeSameTimeSteps(List<Step> steps) {
        if (steps.size() < 2) {
            if (steps.size() == 1 && isZero(steps.get(0))) steps.clear();
            return;
        }
        List<Step> merged = new ArrayList<>(steps.size());
        steps.sort((a, b) -> Long.compare(a.time(), b.time()));
        Step current = steps.get(0);
        for (int i = 1; i < steps.size(); i++) {
            Step next = steps.get(i);
            if (next.time() == current.time()) {
                current = new Step(current.time(), current.ballots() + next.ballots(), current.reporting() + next.reporting());
            } else {
                if (!isZero(current)) merged.add(current);
                current = next;
            }
        }
        if (!isZero(current)) merged.add(current);
        steps.clear();
        steps.addAll(merged);
    }

    private static boolean isZero(Step s) {
        return s.ballots() == 0 && s.reporting() == 0;
    }
}
