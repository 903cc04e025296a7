package org.turnoutstream.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RawRecordDeserializer;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exact stretch of Kafka: per topic-partition the offsets [from, to). A range given by time is resolved to
 * offsets once, before anything runs (the consumer's offsetsForTimes: the first offset whose Kafka timestamp is
 * at or after the instant; the end of the partition when there is none), because a KafkaSource that stops by
 * timestamp can skip records whose timestamps are out of order. The replay, the recount and the report all use
 * these offsets.
 */
public final class KafkaRange {
    private static final Pattern OFFSETS = Pattern.compile("^(.+):(\\d+):(\\d+)-(\\d+)$");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** How the range was given: {@code offsets} (--offsets) or {@code time} (--from/--to, with the instants). */
    private final String resolvedFrom;
    private final Instant from;
    private final Instant to;
    private final TreeMap<String, long[]> offsets; // "topic:partition" -> {from, to}

    private KafkaRange(String resolvedFrom, Instant from, Instant to, TreeMap<String, long[]> offsets) {
        this.resolvedFrom = resolvedFrom;
        this.from = from;
        this.to = to;
        this.offsets = offsets;
    }

    /** {@code topic:partition:from-to,...}; {@code to} is exclusive. Partitions not named are not read. */
    public static KafkaRange parseOffsets(String spec) {
        TreeMap<String, long[]> offsets = new TreeMap<>();
        for (String part : spec.split(",")) {
            Matcher m = OFFSETS.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("--offsets: '" + part.trim() + "' is not topic:partition:from-to (e.g. branch.turnout:0:0-5000)");
            }
            long a = Long.parseLong(m.group(3)), b = Long.parseLong(m.group(4));
            if (b < a) throw new IllegalArgumentException("--offsets: '" + part.trim() + "' ends before it starts");
            if (offsets.put(m.group(1) + ":" + m.group(2), new long[]{a, b}) != null) {
                throw new IllegalArgumentException("--offsets: partition " + m.group(1) + ":" + m.group(2) + " given twice");
            }
        }
        return new KafkaRange("offsets", null, null, offsets);
    }

    /** Resolves [from, to) on every partition of the topics to offsets, now, with the consumer's offsetsForTimes. */
    public static KafkaRange resolveByTime(Properties clientProperties, Collection<String> topics, Instant from, Instant to) {
        if (!from.isBefore(to)) throw new IllegalArgumentException("empty time range: --from " + from + " is not before --to " + to);
        TreeMap<String, long[]> offsets = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientProperties)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
                if (infos == null || infos.isEmpty()) throw new IllegalArgumentException("topic " + topic + " does not exist");
                for (PartitionInfo p : infos) partitions.add(new TopicPartition(topic, p.partition()));
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> fromQuery = new HashMap<>(), toQuery = new HashMap<>();
            for (TopicPartition tp : partitions) {
                fromQuery.put(tp, from.toEpochMilli());
                toQuery.put(tp, to.toEpochMilli());
            }
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(fromQuery, TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> stops = consumer.offsetsForTimes(toQuery, TIMEOUT);
            for (TopicPartition tp : partitions) {
                long stop = stops.get(tp) == null ? end.get(tp) : stops.get(tp).offset();
                long start = starts.get(tp) == null ? end.get(tp) : Math.min(starts.get(tp).offset(), stop);
                offsets.put(tp.topic() + ":" + tp.partition(), new long[]{start, stop});
            }
        }
        return new KafkaRange("time", from, to, offsets);
    }

    static KafkaConsumer<byte[], byte[]> consumer(Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(p);
    }

    public Map<TopicPartition, Long> starts(String topic) {
        return column(topic, 0);
    }

    public Map<TopicPartition, Long> stops(String topic) {
        return column(topic, 1);
    }

    private Map<TopicPartition, Long> column(String topic, int i) {
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.forEach((tp, range) -> {
            TopicPartition p = topicPartition(tp);
            if (p.topic().equals(topic)) out.put(p, range[i]);
        });
        return out;
    }

    static TopicPartition topicPartition(String key) {
        int colon = key.lastIndexOf(':');
        return new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1)));
    }

    /** The start instant of a range given by time (--from), or null for one given by offsets. */
    public Instant fromInstant() {
        return from;
    }

    public boolean covers(String topic) {
        return offsets.keySet().stream().anyMatch(tp -> topicPartition(tp).topic().equals(topic));
    }

    /** Offsets in the range of a topic (records, unless the topic has gaps: compaction, transaction markers). */
    public long offsetsIn(String topic) {
        long n = 0;
        for (Map.Entry<String, long[]> e : offsets.entrySet()) {
            if (topicPartition(e.getKey()).topic().equals(topic)) n += e.getValue()[1] - e.getValue()[0];
        }
        return n;
    }

    /** A bounded KafkaSource over exactly these offsets of the topic (stops at the `to` offsets, exclusive). */
    public KafkaSource<RawRecord> source(String topic, String bootstrapServers, Properties clientProperties, String groupId) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setProperties(clientProperties)
                .setPartitions(new java.util.HashSet<>(starts(topic).keySet()))
                .setGroupId(groupId)
                .setDeserializer(new RawRecordDeserializer())
                .setStartingOffsets(OffsetsInitializer.offsets(starts(topic)))
                .setBounded(OffsetsInitializer.offsets(stops(topic)))
                .build();
    }

    /** The records of the range of one topic, partition after partition, in offset order (for the recount and the audit). */
    public Iterator<RawRecord> read(String topic, Properties clientProperties) {
        List<TopicPartition> partitions = new ArrayList<>(starts(topic).keySet());
        partitions.sort(Comparator.comparingInt(TopicPartition::partition));
        Map<TopicPartition, Long> starts = starts(topic), stops = stops(topic);
        return new Iterator<>() {
            final KafkaConsumer<byte[], byte[]> consumer = consumer(clientProperties);
            final RawRecordDeserializer deserializer = new RawRecordDeserializer();
            final Deque<RawRecord> buffer = new ArrayDeque<>();
            int index = -1;
            TopicPartition current;
            boolean closed;

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty() && !closed) {
                    if (current == null || consumer.position(current, TIMEOUT) >= stops.get(current)) {
                        if (++index >= partitions.size()) {
                            consumer.close();
                            closed = true;
                            break;
                        }
                        current = partitions.get(index);
                        consumer.assign(List.of(current));
                        consumer.seek(current, starts.get(current));
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(current)) {
                        if (r.offset() >= stops.get(current)) continue;
                        deserializer.deserialize(r, new Collector<>() {
                            @Override public void collect(RawRecord record) { buffer.add(record); }
                            @Override public void close() {}
                        });
                    }
                }
                return !buffer.isEmpty();
            }

            @Override
            public RawRecord next() {
                if (!hasNext()) throw new NoSuchElementException();
                return buffer.poll();
            }
        };
    }

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", "kafka");
        node.put("resolvedFrom", resolvedFrom);
        if (from != null) node.put("from", from.toString());
        if (to != null) node.put("to", to.toString());
        ArrayNode partitions = node.putArray("partitions");
        offsets.forEach((tp, range) -> {
            TopicPartition p = topicPartition(tp);
            partitions.addObject().put("topic", p.topic()).put("partition", p.partition()).put("fromOffset", range[0]).put("toOffset", range[1]);
        });
        return node;
    }

    public static KafkaRange fromJson(JsonNode node) {
        TreeMap<String, long[]> offsets = new TreeMap<>();
        for (JsonNode p : node.path("partitions")) {
            offsets.put(p.path("topic").asText() + ":" + p.path("partition").asInt(), new long[]{p.path("fromOffset").asLong(), p.path("toOffset").asLong()});
        }
        return new KafkaRange(node.path("resolvedFrom").asText(), node.has("from") ? Instant.parse(node.get("from").asText()) : null,
                node.has("to") ? Instant.parse(node.get("to").asText()) : null, offsets);
    }

    /** e.g. {@code branch.turnout:0:0-120,branch.turnout:1:0-98 (from --from/--to 2024-...Z..2024-...Z)}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        offsets.forEach((tp, range) -> out.append(out.length() == 0 ? "" : ",").append(tp).append(':').append(range[0]).append('-').append(range[1]));
        if ("time".equals(resolvedFrom)) out.append(" (resolved from --from ").append(from).append(" --to ").append(to).append(')');
        return out.toString();
    }
}
