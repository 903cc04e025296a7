package org.turnoutstream.archive;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;

import javax.annotation.Nullable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Gives every split to its reader up front, when the reader registers, then tells it there are no more. A
 * reader must hold all its partitions at once to merge them in heard-time order with one watermark per
 * partition ({@link ArchiveSourceReader}); a split handed out on request after another had finished would
 * start behind that one's watermark. The owner is fixed ({@link #owner}), so a restart gives the same
 * reader the same partitions.
 */
final class ArchiveSplitEnumerator implements SplitEnumerator<ArchiveSource.Split, Collection<ArchiveSource.Split>> {
    private final SplitEnumeratorContext<ArchiveSource.Split> context;
    private final List<ArchiveSource.Split> unassigned;

    ArchiveSplitEnumerator(SplitEnumeratorContext<ArchiveSource.Split> context, Collection<ArchiveSource.Split> unassigned) {
        this.context = context;
        this.unassigned = new ArrayList<>(unassigned);
    }

    /** The reader of a topic-partition: spread like the Kafka source spreads partitions. */
    static int owner(ArchiveSource.Split split, int parallelism) {
        int start = (split.topic().hashCode() * 31) & 0x7FFFFFFF;
        return (start + split.partition()) % parallelism;
    }

    @Override
    public void start() {}

    @Override
    public void addReader(int subtaskId) {
        assignTo(subtaskId);
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        assignTo(subtaskId); // the reader does not ask; answering anyway keeps an asking reader from hanging
    }

    /** Splits of a failed reader that no checkpoint had recorded yet: back to the same reader when it returns. */
    @Override
    public void addSplitsBack(List<ArchiveSource.Split> splits, int subtaskId) {
        unassigned.addAll(splits);
        if (context.registeredReaders().containsKey(subtaskId)) assignTo(subtaskId);
    }

    private void assignTo(int subtaskId) {
        int parallelism = context.currentParallelism();
        List<ArchiveSource.Split> mine = new ArrayList<>();
        unassigned.removeIf(split -> owner(split, parallelism) == subtaskId && mine.add(split));
        if (!mine.isEmpty()) context.assignSplits(new SplitsAssignment<>(Map.of(subtaskId, mine)));
        context.signalNoMoreSplits(subtaskId);
    }

    @Override
    public Collection<ArchiveSource.Split> snapshotState(long checkpointId) {
        return new ArrayList<>(unassigned);
    }

    @Override
    public void close() {}
}
