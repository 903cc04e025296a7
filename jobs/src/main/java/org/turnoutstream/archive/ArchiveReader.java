package org.turnoutstream.archive;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.schemas.ArchivedRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the finished files of an archive back as the {@link RawRecord}s the workflows take, for some
 * elections and a range [from, to) of Kafka timestamps, in (topic, partition, offset) order.
 *
 * <p>Streaming, with little memory: a first pass notes each file's offset range per topic-partition;
 * then a k-way merge opens a file's cursor for a partition only when the merge reaches that range,
 * so only files whose ranges overlap are open at once (files rolled one after another do not). Each
 * file must hold a partition's records in offset order (true when the archive stage is
 * forward-connected to the Kafka source); a file that does not is reported, not silently reordered.
 * The same (topic, partition, offset) found twice is returned once ({@link Records#duplicatesSkipped()}).
 *
 * <p>The base is any Flink filesystem URI ({@code file:///...}, {@code s3://...} with the plugin).
 */
public final class ArchiveReader {
    private final Path base;

    public ArchiveReader(String baseUri) {
        this.base = new Path(baseUri);
    }

    public ArchiveReader(java.nio.file.Path base) {
        this(base.toUri().toString());
    }

    /**
     * The finished files of the given elections (all when null or empty) in the hour buckets that can
     * hold Kafka timestamps in [from, to), sorted by path.
     */
    public List<Path> files(Collection<String> elections, Instant from, Instant to) throws IOException {
        FileSystem fs = base.getFileSystem();
        Set<String> electionDirs = new TreeSet<>();
        if (elections == null || elections.isEmpty()) {
            for (FileStatus s : list(fs, base)) {
                if (s.isDir() && s.getPath().getName().startsWith(ArchiveBuckets.ELECTION_PREFIX)) electionDirs.add(s.getPath().getName());
            }
        } else {
            for (String e : elections) electionDirs.add(ArchiveBuckets.electionDir(e));
        }
        Instant firstHour = ArchiveBuckets.hourStart(from);
        List<Path> files = new ArrayList<>();
        for (String electionDir : electionDirs) {
            Path dir = new Path(base, electionDir);
            if (!fs.exists(dir)) continue;
            for (FileStatus hour : list(fs, dir)) {
                Instant start = ArchiveBuckets.hourOf(hour.getPath().getName());
                if (!hour.isDir() || start == null || start.isBefore(firstHour) || !start.isBefore(to)) continue;
                for (FileStatus f : list(fs, hour.getPath())) {
                    String name = f.getPath().getName();
                    if (!f.isDir() && Manifest.isFinishedName(name) && name.endsWith(ArchiveSink.PART_SUFFIX)) files.add(f.getPath());
                }
            }
        }
        files.sort(Comparator.comparing(Path::toString));
        return files;
    }

    /** The records of the elections (all when null or empty) with Kafka timestamps in [from, to). Close it. */
    public Records read(Collection<String> elections, Instant from, Instant to) throws IOException {
        FileSystem fs = base.getFileSystem();
        List<Cursor> cursors = new ArrayList<>();
        for (Path file : files(elections, from, to)) {
            ArchiveFileSummary summary;
            try (InputStream in = fs.open(file)) {
                summary = ArchiveFileSummary.of(in);
            }
            for (ArchiveFileSummary.PartitionRange range : summary.partitions()) {
                cursors.add(new Cursor(fs, file, range.topic(), range.partition(), range.minOffset(),
                        from.toEpochMilli(), to.toEpochMilli()));
            }
        }
        return new Records(cursors);
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] statuses = fs.listStatus(dir);
        return statuses == null ? new FileStatus[0] : statuses;
    }

    /** The merged records; an {@link UncheckedIOException} from next() means a file could not be read. */
    public static final class Records implements Iterator<RawRecord>, AutoCloseable {
        private static final Comparator<Cursor> ORDER = Comparator.comparing((Cursor c) -> c.topic)
                .thenComparingInt(c -> c.partition).thenComparingLong(c -> c.headOffset);
        private final PriorityQueue<Cursor> queue = new PriorityQueue<>(ORDER);
        private RawRecord next;
        private String lastTopic;
        private int lastPartition;
        private long lastOffset;
        private long duplicates;
        private long returned;
        private int maxOpen;
        private final long skipThroughOffset;

        Records(List<Cursor> cursors) {
            this(cursors, Long.MIN_VALUE);
        }

        /** Leaves out offsets up to {@code skipThroughOffset} (one topic-partition resumed after a checkpoint). */
        Records(List<Cursor> cursors, long skipThroughOffset) {
            queue.addAll(cursors);
            this.skipThroughOffset = skipThroughOffset;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null && !queue.isEmpty()) {
                    Cursor c = queue.poll();
                    if (!c.opened()) {
                        c.open();
                        maxOpen = Math.max(maxOpen, openCount() + 1);
                    } else {
                        ArchivedRecord head = c.head;
                        boolean duplicate = returned > 0 && head.getPartition() == lastPartition
                                && head.getOffset() == lastOffset && head.getTopic().equals(lastTopic);
                        if (duplicate) {
                            duplicates++;
                        } else if (head.getOffset() <= skipThroughOffset) {
                            // read before the checkpoint this split was restored from
                        } else {
                            next = ArchiveRecords.toRaw(head);
                            lastTopic = head.getTopic();
                            lastPartition = head.getPartition();
                            lastOffset = head.getOffset();
                            returned++;
                        }
                        c.advance();
                    }
                    if (c.head != null) queue.add(c);
                    else c.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return next != null;
        }

        @Override
        public RawRecord next() {
            if (!hasNext()) throw new NoSuchElementException();
            RawRecord out = next;
            next = null;
            return out;
        }

        private int openCount() {
            int open = 0;
            for (Cursor c : queue) if (c.opened()) open++;
            return open;
        }

        /** Records found more than once (same topic, partition and offset) and returned once. */
        public long duplicatesSkipped() { return duplicates; }

        /** The most file cursors open at the same time so far. */
        public int maxOpenCursors() { return maxOpen; }

        @Override
        public void close() {
            for (Cursor c : queue) c.close();
            queue.clear();
        }
    }

    /** One file's records of one topic-partition within the time range, in offset order. */
    static final class Cursor {
        final FileSystem fs;
        final Path file;
        final String topic;
        final int partition;
        final long fromMillis;
        final long toMillis;
        long headOffset;
        ArchivedRecord head;
        private InputStream in;
        private DataFileStream<ArchivedRecord> stream;

        Cursor(FileSystem fs, Path file, String topic, int partition, long minOffset, long fromMillis, long toMillis) {
            this.fs = fs;
            this.file = file;
            this.topic = topic;
            this.partition = partition;
            this.headOffset = minOffset; // a lower bound until opened
            this.fromMillis = fromMillis;
            this.toMillis = toMillis;
            this.head = PLACEHOLDER;
        }

        boolean opened() {
            return stream != null;
        }

        void open() throws IOException {
            in = fs.open(file);
            stream = new DataFileStream<>(in, new SpecificDatumReader<>(ArchivedRecord.class));
            head = null;
            headOffset = Long.MIN_VALUE;
            advance();
        }

        void advance() throws IOException {
            long previous = head == null ? Long.MIN_VALUE : head.getOffset();
            head = null;
            while (stream.hasNext()) {
                ArchivedRecord r = stream.next();
                if (r.getPartition() != partition || !r.getTopic().equals(topic)) continue;
                if (r.getOffset() <= previous) {
                    throw new IOException(file + ": offsets of " + topic + "-" + partition + " are not increasing ("
                            + previous + " then " + r.getOffset() + "); the archive stage must be forward-connected to the source");
                }
                previous = r.getOffset();
                if (r.getTimestamp() < fromMillis || r.getTimestamp() >= toMillis) continue;
                head = r;
                headOffset = r.getOffset();
                return;
            }
            close();
        }

        void close() {
            try {
                if (stream != null) stream.close();
                else if (in != null) in.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }

        private static final ArchivedRecord PLACEHOLDER = new ArchivedRecord();
    }
}
