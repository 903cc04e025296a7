package org.turnoutstream.recovery;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How far back Kafka still holds a topic: a recount from its earliest offsets is complete only if no record of the day was
 * deleted (retention, or records deleted by hand) before it.
 */
public final class RetainedRecords {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private RetainedRecords() {}

    /**
     * The time from which the topic is complete: Long.MIN_VALUE when every partition still starts at offset 0 (nothing
     * was ever deleted); else the latest, over the partitions that lost records, of the Kafka timestamp of their first
     * retained record (records before it may be gone).
     */
    public static long completeFrom(Properties clientProperties, String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, TIMEOUT)) partitions.add(new TopicPartition(topic, info.partition()));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> fromZero = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> e : begin.entrySet()) if (e.getValue() > 0) fromZero.put(e.getKey(), 0L);
            if (fromZero.isEmpty()) return Long.MIN_VALUE;
            long completeFrom = Long.MIN_VALUE;
            for (OffsetAndTimestamp first : consumer.offsetsForTimes(fromZero, TIMEOUT).values()) {
                // null: the partition holds no record any more (all deleted): nothing of it can be recounted
                completeFrom = Math.max(completeFrom, first == null ? Long.MAX_VALUE : first.timestamp());
            }
            return completeFrom;
        }
    }
}
