package org.turnoutstream.sinks;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.turnoutstream.events.registry.ConfluentAvroEncoder;
import org.turnoutstream.events.registry.RegistryConfig;
import org.turnoutstream.schemas.BranchAlert;

import java.nio.charset.StandardCharsets;

/**
 * Writes alerts to the alerts topic ({@code branch.alerts}): key the branch id, or the constituency id for
 * constituency-level alerts (so one subject's alerts stay in order on one partition); value the Avro
 * {@link BranchAlert} in the Confluent wire format, its schema registered under {@code <topic>-value}.
 */
public class AlertSerializer implements KafkaRecordSerializationSchema<BranchAlert> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final ConfluentAvroEncoder<BranchAlert> encoder;

    public AlertSerializer(String topic, RegistryConfig registry) {
        this.topic = topic;
        this.encoder = ConfluentAvroEncoder.forTopic(registry, topic, BranchAlert.class);
    }

    public static byte[] keyOf(BranchAlert alert) {
        String key = alert.getBranchId() != null ? alert.getBranchId() : alert.getConstituencyId();
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(BranchAlert alert, KafkaSinkContext context, Long timestamp) {
        // No record timestamp from event time: an election replayed months later must not fall to retention at once.
        return new ProducerRecord<>(topic, null, null, keyOf(alert), encoder.encode(alert));
    }
}
