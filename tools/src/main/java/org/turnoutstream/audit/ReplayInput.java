package org.turnoutstream.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.connector.source.Source;
import org.turnoutstream.archive.ArchiveReader;
import org.turnoutstream.archive.ArchiveRecords;
import org.turnoutstream.archive.ArchiveSource;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RawRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.Set;

/**
 * What a replay reads, fixed before it starts: an exact Kafka range (offsets per partition) or a planned set of
 * archive files (with their SHA-256). The replay's Flink sources and the audit's recount read the same records
 * from it, and its JSON form goes into the replay report (the audit re-reads it from there).
 */
public final class ReplayInput {
    private final KafkaRange kafka;
    private final ArchiveSource.Plan archive;
    private final Set<String> elections;

    private ReplayInput(KafkaRange kafka, ArchiveSource.Plan archive, Set<String> elections) {
        this.kafka = kafka;
        this.archive = archive;
        this.elections = elections;
    }

    public static ReplayInput kafka(KafkaRange range) {
        return new ReplayInput(range, null, Set.of());
    }

    public static ReplayInput archive(String baseUri, Set<String> elections, Instant from, Instant to) throws IOException {
        return new ReplayInput(null, ArchiveSource.plan(baseUri, elections, from, to), Set.copyOf(elections));
    }

    public boolean isArchive() {
        return archive != null;
    }

    public Source<RawRecord, ?, ?> source(String topic, JobOptions options, String runId) {
        if (archive != null) return archive.source(topic);
        if (!kafka.covers(topic)) return ArchiveSource.empty();
        Properties props = options.kafkaClientProperties();
        props.setProperty("commit.offsets.on.checkpoint", "false");
        return kafka.source(topic, options.bootstrapServers, props, "turnout-replay-" + runId);
    }

    /** What the progress bar counts to: offsets in the range, or the records of the planned files. */
    public long expectedRecords(String topic) {
        return archive != null ? archive.recordsInFiles(topic) : kafka.offsetsIn(topic);
    }

    /**
     * The start of the range as a Kafka timestamp (the origin of a rehearsal's clock, the same for every source
     * subtask, so partitions keep their relative timing), or -1 for a range given by offsets (each subtask's clock
     * then starts at its first record).
     */
    public long originMillis() {
        if (archive != null) return archive.from().toEpochMilli();
        return kafka.fromInstant() != null ? kafka.fromInstant().toEpochMilli() : -1;
    }

    /** The records of one topic, as the replay's source gives them (for the recount and the audit's explanations). */
    public Iterator<RawRecord> read(String topic, JobOptions options) {
        if (kafka != null) {
            return kafka.covers(topic) ? kafka.read(topic, consumerProperties(options)) : List.<RawRecord>of().iterator();
        }
        Set<String> withUnknown = new LinkedHashSet<>(elections);
        if (!withUnknown.isEmpty()) withUnknown.add(ArchiveRecords.UNKNOWN_ELECTION);
        ArchiveReader.Records records;
        try {
            records = new ArchiveReader(archive.baseUri()).read(withUnknown, archive.from(), archive.to());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Iterator<>() {
            RawRecord next;

            @Override
            public boolean hasNext() {
                while (next == null && records.hasNext()) {
                    RawRecord r = records.next();
                    if (r.topic.equals(topic)) next = r;
                }
                if (next == null) records.close();
                return next != null;
            }

            @Override
            public RawRecord next() {
                if (!hasNext()) throw new NoSuchElementException();
                RawRecord out = next;
                next = null;
                return out;
            }
        };
    }

    /** The Kafka client properties of the options (--kafka-property, --kafka-properties) plus the bootstrap servers. */
    public static Properties consumerProperties(JobOptions options) {
        Properties props = options.kafkaClientProperties();
        props.setProperty("bootstrap.servers", options.bootstrapServers);
        return props;
    }

    public ObjectNode toJson() {
        if (kafka != null) return kafka.toJson();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", "archive");
        node.put("base", archive.baseUri());
        node.put("from", archive.from().toString());
        node.put("to", archive.to().toString());
        ArrayNode e = node.putArray("elections");
        elections.stream().sorted().forEach(e::add);
        ArrayNode files = node.putArray("files");
        for (ArchiveSource.FileInfo f : archive.files()) {
            files.addObject().put("uri", f.uri()).put("bytes", f.bytes()).put("records", f.records()).put("sha256", f.sha256());
        }
        return node;
    }

    /**
     * The input a replay report names. For the archive, the files are listed again and must be exactly the ones
     * the replay read, byte for byte (same SHA-256): otherwise the audit would not compare like with like.
     */
    public static ReplayInput fromJson(JsonNode node) throws IOException {
        if ("kafka".equals(node.path("kind").asText())) return kafka(KafkaRange.fromJson(node));
        if (!"archive".equals(node.path("kind").asText())) throw new IOException("unknown replay input kind: " + node.path("kind").asText());
        Set<String> elections = new LinkedHashSet<>();
        node.path("elections").forEach(e -> elections.add(e.asText()));
        ReplayInput input = archive(node.path("base").asText(), elections, Instant.parse(node.path("from").asText()), Instant.parse(node.path("to").asText()));
        java.util.Map<String, String> recorded = new java.util.TreeMap<>(), now = new java.util.TreeMap<>();
        node.path("files").forEach(f -> recorded.put(f.path("uri").asText(), f.path("sha256").asText()));
        input.archive.files().forEach(f -> now.put(f.uri(), f.sha256()));
        if (!recorded.equals(now)) {
            StringBuilder why = new StringBuilder("the archive files differ from those the replay read:");
            recorded.forEach((uri, sha) -> { if (!sha.equals(now.get(uri))) why.append("\n  ").append(uri).append(now.containsKey(uri) ? ": SHA-256 changed" : ": missing"); });
            now.keySet().forEach(uri -> { if (!recorded.containsKey(uri)) why.append("\n  ").append(uri).append(": new"); });
            throw new IOException(why.toString());
        }
        return input;
    }

    public String describe() {
        if (kafka != null) return "Kafka offsets " + kafka.describe();
        long records = archive.files().stream().mapToLong(ArchiveSource.FileInfo::records).sum();
        return "archive " + archive.baseUri() + " [" + archive.from() + ", " + archive.to() + "): " + archive.files().size()
                + " file(s), " + records + " record(s)";
    }
}
