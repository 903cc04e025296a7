package org.turnoutstream.archive;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.turnoutstream.events.RawRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A bounded Flink source over the audit archive: the archived records of some topics, elections and a
 * range [from, to) of Kafka timestamps, back as the {@link RawRecord}s the live job read (same topic,
 * partition, offset, Kafka timestamp, key, value, headers). One split per topic-partition, read in offset
 * order (a k-way merge over the files holding it, like {@link ArchiveReader}), so each branch's records
 * arrive in the order Kafka gave them to the live job. Event time is per partition, as with the Kafka source,
 * whatever the parallelism: every reader gets all its partitions up front ({@link ArchiveSplitEnumerator}),
 * merges them in heard-time order and gives each its own watermark generator ({@link ArchiveSourceReader}).
 * A checkpoint records the last offset emitted per split.
 *
 * <p>{@link #plan} lists the files first (with their SHA-256, for the replay's report) on the client.
 */
public final class ArchiveSource implements Source<RawRecord, ArchiveSource.Split, Collection<ArchiveSource.Split>>,
        ResultTypeQueryable<RawRecord> {
    private static final long serialVersionUID = 1L;

    private final List<Split> splits;

    private ArchiveSource(List<Split> splits) {
        this.splits = List.copyOf(splits);
    }

    /** One archive file as the plan found it: URI, bytes, records (all, whatever their timestamps) and SHA-256. */
    public record FileInfo(String uri, long bytes, long records, String sha256) {}

    /** What a replay of the archive reads: the files, and the splits per topic-partition. */
    public record Plan(String baseUri, Instant from, Instant to, List<FileInfo> files, List<Split> splits) {
        public ArchiveSource source(String topic) {
            return new ArchiveSource(splits.stream().filter(s -> s.topic.equals(topic)).toList());
        }

        /** Records in the planned files of a topic: an upper bound of what the range holds (for the progress bar). */
        public long recordsInFiles(String topic) {
            return splits.stream().filter(s -> s.topic.equals(topic)).mapToLong(s -> s.records).sum();
        }

        public Set<String> topics() {
            Set<String> topics = new LinkedHashSet<>();
            splits.forEach(s -> topics.add(s.topic));
            return topics;
        }
    }

    /**
     * Finds the finished files of the elections (and of {@value ArchiveRecords#UNKNOWN_ELECTION}, where the
     * records no decoder could read are) in the hour buckets that can hold [from, to), reads each once for
     * its SHA-256 and offset ranges, and makes one split per topic-partition.
     */
    public static Plan plan(String baseUri, Collection<String> elections, Instant from, Instant to) throws IOException {
        if (!from.isBefore(to)) throw new IllegalArgumentException("empty time range: from " + from + " is not before to " + to);
        Set<String> withUnknown = new LinkedHashSet<>(elections);
        if (!withUnknown.isEmpty()) withUnknown.add(ArchiveRecords.UNKNOWN_ELECTION);
        ArchiveReader reader = new ArchiveReader(baseUri);
        List<FileInfo> files = new ArrayList<>();
        Map<String, List<String>> filesByPartition = new TreeMap<>();
        Map<String, List<Long>> minOffsets = new TreeMap<>();
        Map<String, long[]> recordsByPartition = new TreeMap<>();
        for (Path file : reader.files(withUnknown, from, to)) {
            FileSystem fs = file.getFileSystem();
            MessageDigest sha = sha256();
            ArchiveFileSummary summary;
            long bytes = 0;
            try (InputStream raw = fs.open(file); DigestInputStream in = new DigestInputStream(raw, sha)) {
                summary = ArchiveFileSummary.of(in);
                byte[] rest = new byte[8192];
                while (in.read(rest) > 0) { /* the hash covers the whole file */ }
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + " is not a readable archive file: " + e.getMessage(), e);
            }
            bytes = fs.getFileStatus(file).getLen();
            files.add(new FileInfo(file.toString(), bytes, summary.records(), HexFormat.of().formatHex(sha.digest())));
            for (ArchiveFileSummary.PartitionRange range : summary.partitions()) {
                String key = range.topic() + "\u0000" + range.partition();
                filesByPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(file.toString());
                minOffsets.computeIfAbsent(key, k -> new ArrayList<>()).add(range.minOffset());
                recordsByPartition.computeIfAbsent(key, k -> new long[1])[0] += range.records();
            }
        }
        List<Split> splits = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : filesByPartition.entrySet()) {
            String[] tp = e.getKey().split("\u0000");
            splits.add(new Split(tp[0], Integer.parseInt(tp[1]), e.getValue(), minOffsets.get(e.getKey()).stream().mapToLong(Long::longValue).toArray(),
                    from.toEpochMilli(), to.toEpochMilli(), recordsByPartition.get(e.getKey())[0], Long.MIN_VALUE));
        }
        return new Plan(baseUri, from, to, List.copyOf(files), List.copyOf(splits));
    }

    /** A source without records (a replay by offsets that names no partition of a topic). */
    public static ArchiveSource empty() {
        return new ArchiveSource(List.of());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public List<Split> splits() {
        return splits;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<RawRecord, Split> createReader(SourceReaderContext context) {
        return new ArchiveSourceReader();
    }

    @Override
    public SplitEnumerator<Split, Collection<Split>> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new ArchiveSplitEnumerator(context, splits);
    }

    @Override
    public SplitEnumerator<Split, Collection<Split>> restoreEnumerator(SplitEnumeratorContext<Split> context, Collection<Split> checkpoint) {
        return new ArchiveSplitEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Collection<Split>> getEnumeratorCheckpointSerializer() {
        return new CheckpointSerializer();
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }

    /** One topic-partition: the files holding it and where to resume (offsets up to skipThrough were emitted). */
    public static final class Split implements SourceSplit, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final String topic;
        final int partition;
        final List<String> files;
        final long[] minOffsets;
        final long fromMillis;
        final long toMillis;
        final long records;
        final long skipThroughOffset;

        Split(String topic, int partition, List<String> files, long[] minOffsets, long fromMillis, long toMillis, long records,
              long skipThroughOffset) {
            this.topic = topic;
            this.partition = partition;
            this.files = List.copyOf(files);
            this.minOffsets = minOffsets.clone();
            this.fromMillis = fromMillis;
            this.toMillis = toMillis;
            this.records = records;
            this.skipThroughOffset = skipThroughOffset;
        }

        public String topic() { return topic; }
        public int partition() { return partition; }
        public List<String> files() { return files; }

        @Override
        public String splitId() {
            return topic + "-" + partition;
        }

        /** Its records after {@code skipThroughOffset}, in offset order. Close them. */
        ArchiveReader.Records open() {
            List<ArchiveReader.Cursor> cursors = new ArrayList<>(files.size());
            try {
                for (int i = 0; i < files.size(); i++) {
                    Path file = new Path(files.get(i));
                    cursors.add(new ArchiveReader.Cursor(file.getFileSystem(), file, topic, partition, minOffsets[i], fromMillis, toMillis));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the archive's filesystem for " + files, e);
            }
            return new ArchiveReader.Records(cursors, skipThroughOffset);
        }

        /** The same partition, to resume after {@code offset} (the last emitted). */
        Split resumingAfter(long offset) {
            return new Split(topic, partition, files, minOffsets, fromMillis, toMillis, records, offset);
        }

        @Override
        public String toString() {
            return "ArchiveSplit[" + splitId() + ", " + files.size() + " file(s), after offset " + skipThroughOffset + "]";
        }

        void write(DataOutputView out) throws IOException {
            out.writeUTF(topic);
            out.writeInt(partition);
            out.writeInt(files.size());
            for (int i = 0; i < files.size(); i++) {
                out.writeUTF(files.get(i));
                out.writeLong(minOffsets[i]);
            }
            out.writeLong(fromMillis);
            out.writeLong(toMillis);
            out.writeLong(records);
            out.writeLong(skipThroughOffset);
        }

        static Split read(DataInputView in) throws IOException {
            String topic = in.readUTF();
            int partition = in.readInt();
            int n = in.readInt();
            List<String> files = new ArrayList<>(n);
            long[] minOffsets = new long[n];
            for (int i = 0; i < n; i++) {
                files.add(in.readUTF());
                minOffsets[i] = in.readLong();
            }
            return new Split(topic, partition, files, minOffsets, in.readLong(), in.readLong(), in.readLong(), in.readLong());
        }
    }

    static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override public int getVersion() { return 1; }

        @Override
        public byte[] serialize(Split split) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(256);
            split.write(out);
            return out.getCopyOfBuffer();
        }

        @Override
        public Split deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) throw new IOException("unknown archive split version " + version);
            return Split.read(new DataInputDeserializer(serialized));
        }
    }

    static final class CheckpointSerializer implements SimpleVersionedSerializer<Collection<Split>> {
        @Override public int getVersion() { return 1; }

        @Override
        public byte[] serialize(Collection<Split> splits) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(1024);
            out.writeInt(splits.size());
            for (Split s : splits) s.write(out);
            return out.getCopyOfBuffer();
        }

        @Override
        public Collection<Split> deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) throw new IOException("unknown archive checkpoint version " + version);
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            int n = in.readInt();
            List<Split> splits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) splits.add(Split.read(in));
            return splits;
        }
    }
}
