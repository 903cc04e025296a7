package org.turnoutstream.archive;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.turnoutstream.schemas.ArchivedRecord;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one finished archive file holds: its records per topic-partition and their offset range. */
public record ArchiveFileSummary(long records, List<PartitionRange> partitions) {

    /** Offsets of one topic-partition in a file: first and last (inclusive) and how many records. */
    public record PartitionRange(String topic, int partition, long minOffset, long maxOffset, long records) {
        public String topicPartition() {
            return topic + "-" + partition;
        }
    }

    /** Reads an Avro container file of ArchivedRecords to its end (does not close the stream). */
    public static ArchiveFileSummary of(InputStream in) throws IOException {
        TreeMap<String, long[]> ranges = new TreeMap<>();
        Map<String, String[]> names = new TreeMap<>();
        long records = 0;
        DataFileStream<ArchivedRecord> file = new DataFileStream<>(in, new SpecificDatumReader<>(ArchivedRecord.class));
        ArchivedRecord record = null;
        while (file.hasNext()) {
            record = file.next(record);
            records++;
            String tp = record.getTopic() + "\u0000" + record.getPartition();
            long offset = record.getOffset();
            long[] range = ranges.get(tp);
            if (range == null) {
                ranges.put(tp, new long[]{offset, offset, 1});
                names.put(tp, new String[]{record.getTopic(), Integer.toString(record.getPartition())});
            } else {
                range[0] = Math.min(range[0], offset);
                range[1] = Math.max(range[1], offset);
                range[2]++;
            }
        }
        List<PartitionRange> partitions = new ArrayList<>(ranges.size());
        for (Map.Entry<String, long[]> e : ranges.entrySet()) {
            String[] tp = names.get(e.getKey());
            partitions.add(new PartitionRange(tp[0], Integer.parseInt(tp[1]), e.getValue()[0], e.getValue()[1], e.getValue()[2]));
        }
        return new ArchiveFileSummary(records, List.copyOf(partitions));
    }
}
