package org.turnoutstream.batching;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.function.ThrowingConsumer;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * Records an operator holds back to process them together: their values and timestamps, in arrival order.
 *
 * <p>Why: the hot operators of the job (the decoders' branch lookup, the branch work's state entry) spend most of their
 * time waiting for memory: each record reads a place in a table of 60,000 branches that does not fit the CPU's cache,
 * and one record at a time each waits for its misses in turn. With a batch in hand, an operator first reads the places
 * of all its records ({@link Prefetching}), reads that do not depend on each other so the CPU has many misses in flight at
 * once, and then processes the records one by one, as it would have, finding them in the cache.
 *
 * <p>An operator that batches must process its batch before anything else goes downstream or is taken: before a
 * watermark or a watermark status goes on, before a checkpoint barrier ({@code prepareSnapshotPreBarrier}), at the end of
 * the input ({@code finish}), and after at most {@link #MAX_WAIT_MILLIS} of processing time (a slow feed). Each record is
 * then processed exactly as on arrival: in the same order, at the same watermark, in the same checkpoint.
 */
public final class RecordBatch<T> {
    /** Records a batch holds: enough for many misses in flight, few enough that their lines stay in the cache. */
    public static final int DEFAULT_CAPACITY = 64;
    /** The longest a record waits in a batch that does not fill, in processing time. */
    public static final long MAX_WAIT_MILLIS = 20;

    private final Object[] values;
    private final long[] timestamps;
    private final boolean[] timestamped;
    private final StreamRecord<T> record = new StreamRecord<>(null);
    private int size;

    public RecordBatch(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a batch of " + capacity + " records");
        values = new Object[capacity];
        timestamps = new long[capacity];
        timestamped = new boolean[capacity];
    }

    /** Keeps the element's value and timestamp (the element itself may be reused by the caller); true when now full. */
    public boolean add(StreamRecord<T> element) {
        int i = size;
        values[i] = element.getValue();
        timestamped[i] = element.hasTimestamp();
        timestamps[i] = element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE;
        size = i + 1;
        return size == values.length;
    }

    public int size() {
        return size;
    }

    /** The value of record {@code i} (0 is the oldest). */
    @SuppressWarnings("unchecked")
    public T value(int i) {
        return (T) values[i];
    }

    /**
     * Processes the records waiting, if any: first {@code prefetching} reads ahead for all of them, then each goes to
     * {@code each}, oldest first ({@link #drain}).
     */
    public void process(Prefetching<T> prefetching, ThrowingConsumer<StreamRecord<T>, Exception> each) throws Exception {
        if (size == 0) return;
        prefetching.prefetch(this);
        drain(each);
    }

    /** Has the operator's processing-time service call {@code processBatch} every {@link #MAX_WAIT_MILLIS}. */
    public static void processAtMostEvery(ProcessingTimeService time, ThrowingRunnable<Exception> processBatch) {
        time.scheduleWithFixedDelay(now -> processBatch.run(), MAX_WAIT_MILLIS, MAX_WAIT_MILLIS);
    }

    /** For a snapshot: fails if records wait (an operator processes its batch before the barrier goes on). */
    public void checkProcessed() {
        if (size > 0) throw new IllegalStateException("a checkpoint with " + size + " records not processed");
    }

    /**
     * Hands each record, oldest first, to {@code each} (as one stream record refilled for each: keep the value, not it),
     * and empties the batch.
     */
    public void drain(ThrowingConsumer<StreamRecord<T>, Exception> each) throws Exception {
        int n = size;
        size = 0;
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            T value = (T) values[i];
            values[i] = null;
            if (timestamped[i]) {
                record.replace(value, timestamps[i]);
            } else {
                record.replace(value);
                record.eraseTimestamp();
            }
            each.accept(record);
        }
    }
}
