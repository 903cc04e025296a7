package org.turnoutstream.archive;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.turnoutstream.events.RawRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Reads all the topic-partitions given to it at once, as a Kafka source reader would from a live broker:
 * each partition in offset order, the partitions merged by when the centre heard them (Kafka timestamp, then
 * topic, partition, offset), and each partition through its own split output, so with its own watermark
 * generator. The reader's watermark is the least of its partitions', so a partition whose records come later
 * in heard time is never behind a watermark another partition moved. A finished partition releases its
 * output (else it would hold the watermark back for good).
 *
 * <p>A checkpoint records per partition the last offset emitted; the record read ahead for the merge is not
 * emitted yet, so a restore reads it again.
 */
final class ArchiveSourceReader implements SourceReader<RawRecord, ArchiveSource.Split> {
    private static final Comparator<Partition> HEARD_ORDER = Comparator.comparingLong((Partition p) -> p.head.timestamp)
            .thenComparing(p -> p.head.topic).thenComparingInt(p -> p.head.partition).thenComparingLong(p -> p.head.offset);

    private final List<ArchiveSource.Split> added = new ArrayList<>();
    private final PriorityQueue<Partition> reading = new PriorityQueue<>(HEARD_ORDER);
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private boolean noMoreSplits;

    /** One topic-partition being read: its records from the split's offset on, the next one, the last emitted. */
    private static final class Partition {
        final ArchiveSource.Split split;
        final ArchiveReader.Records records;
        final SourceOutput<RawRecord> output;
        RawRecord head;
        long lastEmittedOffset;

        Partition(ArchiveSource.Split split, ArchiveReader.Records records, SourceOutput<RawRecord> output) {
            this.split = split;
            this.records = records;
            this.output = output;
            this.lastEmittedOffset = split.skipThroughOffset;
        }
    }

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<RawRecord> output) {
        if (!added.isEmpty()) openAdded(output);
        Partition next = reading.poll();
        if (next != null) {
            RawRecord record = next.head;
            next.output.collect(record, record.timestamp);
            next.lastEmittedOffset = record.offset;
            if (next.records.hasNext()) {
                next.head = next.records.next();
                reading.add(next);
            } else {
                finish(next, output);
            }
        }
        if (!reading.isEmpty()) return InputStatus.MORE_AVAILABLE;
        if (noMoreSplits) return InputStatus.END_OF_INPUT;
        if (available.isDone()) available = new CompletableFuture<>();
        return InputStatus.NOTHING_AVAILABLE;
    }

    /**
     * Opens every partition added since the last poll before emitting anything: the merge needs all their
     * heads, and their outputs must exist (holding the watermark at their first record) before another moves it.
     */
    private void openAdded(ReaderOutput<RawRecord> output) {
        for (ArchiveSource.Split split : added) {
            ArchiveReader.Records records = split.open();
            if (!records.hasNext()) {
                records.close();
                continue;
            }
            Partition partition = new Partition(split, records, output.createOutputForSplit(split.splitId()));
            partition.head = records.next();
            reading.add(partition);
        }
        added.clear();
    }

    private static void finish(Partition partition, ReaderOutput<RawRecord> output) {
        partition.records.close();
        output.releaseOutputForSplit(partition.split.splitId());
    }

    @Override
    public List<ArchiveSource.Split> snapshotState(long checkpointId) {
        List<ArchiveSource.Split> state = new ArrayList<>(added);
        for (Partition p : reading) state.add(p.split.resumingAfter(p.lastEmittedOffset));
        return state;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<ArchiveSource.Split> splits) {
        added.addAll(splits);
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() {
        for (Partition p : reading) p.records.close();
        reading.clear();
    }
}
