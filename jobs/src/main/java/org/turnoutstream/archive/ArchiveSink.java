package org.turnoutstream.archive;

import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.formats.avro.AvroWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.turnoutstream.schemas.ArchivedRecord;

/**
 * The audit archive: every raw record, exactly once, in Avro container files (schema ArchivedRecord,
 * the writer schema embedded in each file) under {@code <base>/election=<id>/hour=<yyyy-MM-dd'T'HH>/}.
 *
 * <p>Files roll on every checkpoint (bulk formats can only roll then), so checkpointing must be on: a
 * file becomes visible ({@code part-<uuid>-<n>.avro}) when the checkpoint that closed it completes;
 * until then it is hidden ({@code .part-...inprogress...}). Readers and the {@link Manifest} only ever
 * see finished files.
 *
 * <p>The base path is any Flink filesystem URI: {@code file:///var/turnout/archive}, or
 * {@code s3://bucket/archive} and {@code hdfs://...} through Flink's filesystem plugins.
 *
 * <p>Keep the archive stage forward-connected to the Kafka source (no keyBy or rebalance in between):
 * then each file holds each partition's records in offset order, which {@link ArchiveReader} relies on.
 */
public final class ArchiveSink {
    public static final String PART_PREFIX = "part";
    public static final String PART_SUFFIX = ".avro";

    private ArchiveSink() {}

    /** A FileSink writing ArchivedRecords under {@code baseUri}, one bucket per election and UTC hour. */
    public static FileSink<ArchivedRecord> create(String baseUri) {
        return FileSink.forBulkFormat(new Path(baseUri), AvroWriters.forSpecificRecord(ArchivedRecord.class))
                .withBucketAssigner(new ElectionHourAssigner())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(PART_PREFIX).withPartSuffix(PART_SUFFIX).build())
                .build();
    }

    /** {@code election=<id>/hour=<yyyy-MM-dd'T'HH>} from the record's election and Kafka timestamp (UTC). */
    public static final class ElectionHourAssigner implements BucketAssigner<ArchivedRecord, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getBucketId(ArchivedRecord record, Context context) {
            return ArchiveBuckets.bucketId(record.getElection(), record.getTimestamp());
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }

        @Override
        public String toString() {
            return "ElectionHourAssigner";
        }
    }
}
