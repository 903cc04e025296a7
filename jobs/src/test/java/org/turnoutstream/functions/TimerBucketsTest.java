package org.turnoutstream.functions;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bucket timers against a priority queue of (time, insertion order) on random timers and watermarks. */
class TimerBucketsTest {

    private record Timer(long time, long key, long seq) {}

    @Test
    void firesEveryDueTimerInTimeOrderTiesInInsertionOrderAndKeepsTheRest() throws Exception {
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            TimerBuckets buckets = new TimerBuckets();
            PriorityQueue<Timer> reference = new PriorityQueue<>(Comparator.comparingLong(Timer::time).thenComparingLong(Timer::seq));
            long seq = 0;
            long watermark = random.nextInt(5_000) - 2_500; // negative event times too
            for (int step = 0; step < 60; step++) {
                int adds = random.nextInt(40);
                for (int i = 0; i < adds; i++) {
                    // mostly ahead of the watermark, some at or behind it (fire at the next watermark)
                    long time = watermark + random.nextInt(8_000) - 1_000;
                    long key = random.nextInt(50);
                    buckets.add(time, key);
                    reference.add(new Timer(time, key, seq++));
                }
                watermark += random.nextInt(3) == 0 ? 0 : random.nextInt(3_000);
                List<long[]> fired = new ArrayList<>();
                List<Long> readAhead = new ArrayList<>();
                long count = buckets.fireUpTo(watermark, (key, time) -> {
                    // every timer's key was read ahead before it fired, once, in firing order
                    assertTrue(readAhead.size() > fired.size(), "a timer fired before its key was read ahead");
                    assertEquals(readAhead.get(fired.size()), key);
                    fired.add(new long[] {time, key});
                }, (keys, from, to) -> {
                    assertTrue(to - from <= TimerBuckets.AHEAD && to > from);
                    for (int i = from; i < to; i++) readAhead.add(keys[i]);
                });
                assertEquals(fired.size(), readAhead.size(), "seed " + seed + ": only the timers that fire are read ahead");
                List<long[]> expected = new ArrayList<>();
                while (!reference.isEmpty() && reference.peek().time() <= watermark) {
                    Timer t = reference.poll();
                    expected.add(new long[] {t.time(), t.key()});
                }
                assertEquals(expected.size(), count, "seed " + seed);
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.get(i)[0], fired.get(i)[0], "seed " + seed + " timer " + i);
                    assertEquals(expected.get(i)[1], fired.get(i)[1], "seed " + seed + " timer " + i);
                }
                assertEquals(reference.size(), buckets.size(), "seed " + seed);
            }
            buckets.fireUpTo(Long.MAX_VALUE, (key, time) -> reference.remove(reference.stream()
                    .filter(t -> t.time() == time && t.key() == key).findFirst().orElseThrow()));
            assertTrue(reference.isEmpty());
            assertEquals(0, buckets.size());
        }
    }

    @Test
    void aTimerAddedWhileFiringAtOrBeforeTheWatermarkFiresInTheSameCallAndOneAfterItWaits() throws Exception {
        TimerBuckets buckets = new TimerBuckets();
        buckets.add(1_100, 1);
        buckets.add(1_500, 2);
        List<String> fired = new ArrayList<>();
        buckets.fireUpTo(5_000, (key, time) -> {
            fired.add(key + "@" + time);
            if (key == 1) buckets.add(1_200, 3); // same bucket, behind the one still to fire
            if (key == 2) {
                buckets.add(4_000, 4);           // a later bucket, still due
                buckets.add(5_001, 5);           // after the watermark
            }
        });
        assertEquals(List.of("1@1100", "2@1500", "3@1200", "4@4000"), fired);
        assertEquals(1, buckets.size());
        fired.clear();
        buckets.fireUpTo(5_001, (key, time) -> fired.add(key + "@" + time));
        assertEquals(List.of("5@5001"), fired);
    }
}
