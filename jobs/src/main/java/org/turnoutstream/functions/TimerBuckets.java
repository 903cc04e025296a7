package org.turnoutstream.functions;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * Event-time timers of many {@code long} keys, kept in buckets of {@link #BUCKET_MILLIS} of event time: a timer is two
 * longs appended to its bucket's arrays, and a watermark fires the due timers bucket by bucket, each bucket sorted by
 * time once (a counting sort on the time within the bucket). Flink's heap timer service keeps one object per timer in a
 * binary heap per key group and a hash set beside it to find duplicates: every timer that fires costs a sift through a
 * heap of 60,000 objects (a cache miss per level) and every timer set costs a hash insert, a third of the per-branch
 * task's time in JFR.
 *
 * <p>What it does not do, by design: it does not find duplicates and cannot delete. A caller that moves a key's timer
 * adds the new one and leaves the old one to fire; it knows which moment is current (its state has it) and ignores a
 * timer that is not. The owner keeps one current timer per key, so duplicates are rare.
 *
 * <p>Order: timers fire in time order, ties in the order they were added; a timer added while firing at or before the
 * watermark fires in the same call, after the bucket being fired (Flink's would interleave it by time: only the order
 * ACROSS keys can differ, and each key has one current timer). Not thread-safe: the task thread owns it. Not in the
 * checkpoint: the owner rebuilds it from its state on restore.
 */
public final class TimerBuckets {
    /** Event time one bucket covers; a power of two (the time within a bucket is its low bits). */
    public static final int BUCKET_MILLIS = 1024;
    private static final int SHIFT = Integer.numberOfTrailingZeros(BUCKET_MILLIS);

    /** A timer that fires. */
    @FunctionalInterface
    public interface Firing {
        void fire(long key, long timestamp) throws Exception;
    }

    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    private long size;

    /** Adds a timer of {@code key} at {@code timestamp} (fires once a watermark reaches it). */
    public void add(long timestamp, long key) {
        long index = timestamp >> SHIFT;
        Bucket bucket = buckets.get(index);
        if (bucket == null) buckets.put(index, bucket = new Bucket(index << SHIFT));
        bucket.add(timestamp, key);
        size++;
    }

    /** Timers not fired yet (current or not). */
    public long size() {
        return size;
    }

    /** Reads ahead for the keys of timers about to fire ({@link #fireUpTo}): {@code keys[from, to)}, to be left unchanged. */
    @FunctionalInterface
    public interface KeysAhead {
        void prefetch(long[] keys, int from, int to);
    }

    /** How many timers {@link KeysAhead} is given at a time. */
    static final int AHEAD = 64;

    /** Fires, in time order, every timer at or before {@code watermark}, also those added meanwhile; returns how many. */
    public long fireUpTo(long watermark, Firing firing) throws Exception {
        return fireUpTo(watermark, firing, null);
    }

    /**
     * {@link #fireUpTo(long, Firing)}, giving {@code ahead} (if not null) the keys of the next {@link #AHEAD} timers due
     * before they fire.
     */
    public long fireUpTo(long watermark, Firing firing, KeysAhead ahead) throws Exception {
        long fired = 0;
        while (!buckets.isEmpty() && buckets.firstKey() <= (watermark >> SHIFT)) {
            Bucket bucket = buckets.firstEntry().getValue();
            bucket.sort();
            // The earliest bucket not due: it is the watermark's own (a bucket in the map has a timer left).
            if (bucket.times[bucket.head] > watermark) break;
            // Taken out while it fires: a timer added meanwhile goes to a new bucket, which the loop takes next.
            buckets.pollFirstEntry();
            // Its arrays do not change while it fires (it is out of the map): the timers due are [head, due).
            int first = bucket.head, due = first;
            while (due < bucket.count && bucket.times[due] <= watermark) due++;
            for (int at = first; at < due; at++) {
                if (ahead != null && (at - first) % AHEAD == 0) ahead.prefetch(bucket.keys, at, Math.min(at + AHEAD, due));
                bucket.head = at + 1;
                size--;
                fired++;
                firing.fire(bucket.keys[at], bucket.times[at]);
            }
            if (bucket.head < bucket.count) putBack(bucket); // the bucket the watermark is in
        }
        return fired;
    }

    /** Visits every timer not fired yet, in no particular order, without firing it. */
    public void forEach(Firing visitor) throws Exception {
        for (Bucket bucket : buckets.values()) for (int i = bucket.head; i < bucket.count; i++) visitor.fire(bucket.keys[i], bucket.times[i]);
    }

    private void putBack(Bucket bucket) {
        long index = bucket.start >> SHIFT;
        Bucket added = buckets.put(index, bucket);
        if (added != null) for (int i = added.head; i < added.count; i++) bucket.add(added.times[i], added.keys[i]);
    }

    /** The timers of one stretch of {@link #BUCKET_MILLIS}: [head, count) not fired yet, sorted by time if {@code sorted}. */
    private static final class Bucket {
        final long start;
        long[] times = new long[16];
        long[] keys = new long[16];
        int head;
        int count;
        boolean sorted = true;

        Bucket(long start) {
            this.start = start;
        }

        void add(long timestamp, long key) {
            if (count == times.length) {
                times = Arrays.copyOf(times, count * 2);
                keys = Arrays.copyOf(keys, count * 2);
            }
            if (count > head && timestamp < times[count - 1]) sorted = false;
            times[count] = timestamp;
            keys[count] = key;
            count++;
        }

        /** A stable counting sort of [head, count) on the time within the bucket. */
        void sort() {
            if (sorted) return;
            int n = count - head;
            int[] starts = new int[BUCKET_MILLIS + 1];
            for (int i = head; i < count; i++) starts[(int) (times[i] - start) + 1]++;
            for (int i = 0; i < BUCKET_MILLIS; i++) starts[i + 1] += starts[i];
            long[] sortedTimes = new long[n];
            long[] sortedKeys = new long[n];
            for (int i = head; i < count; i++) {
                int slot = starts[(int) (times[i] - start)]++;
                sortedTimes[slot] = times[i];
                sortedKeys[slot] = keys[i];
            }
            times = sortedTimes;
            keys = sortedKeys;
            head = 0;
            count = n;
            sorted = true;
        }
    }

    @Override
    public String toString() {
        return "TimerBuckets{" + size + " timers in " + buckets.size() + " buckets}";
    }

}
