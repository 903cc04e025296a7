package org.turnoutstream.batching;

/**
 * A function that can read ahead what a batch of records will read ({@link RecordBatch}), before the records are
 * processed one by one. It changes nothing and emits nothing: it only brings into the cache what processing will read.
 */
public interface Prefetching<T> {
    void prefetch(RecordBatch<T> batch);
}
