package org.turnoutstream.sinks;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.schemas.BranchAlert;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes alerts to the alerts topic ({@code branch.alerts}): key the branch id, or the constituency id for
 * constituency-level alerts (so one subject's alerts stay in order on one partition); value the Avro
 * {@link BranchAlert} in the Confluent wire format, its schema registered under {@code <topic>-value}. Counts what it writes
 * per alert kind (metric {@code alerts}, label {@code kind}; an alert of a transaction aborted by a restart is counted again
 * when it is written again).
 */
public class AlertSerializer implements KafkaRecordSerializationSchema<BranchAlert> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final ConfluentAvroEncoder<BranchAlert> encoder;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> byKind;

    public AlertSerializer(String topic, RegistryConfig registry) {
        this.topic = topic;
        this.encoder = ConfluentAvroEncoder.forTopic(registry, topic, BranchAlert.class);
    }

    public static byte[] keyOf(BranchAlert alert) {
        String key = alert.getBranchId() != null ? alert.getBranchId() : alert.getConstituencyId();
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        metrics = context.getMetricGroup();
        byKind = new HashMap<>();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(BranchAlert alert, KafkaSinkContext context, Long timestamp) {
        if (metrics != null) {
            byKind.computeIfAbsent(alert.getKind().name(), kind -> metrics.addGroup("kind", kind).counter("alerts")).inc();
        }
        // No record timestamp from event time: an election replayed months later must not fall to retention at once.
        return new ProducerRecord<>(topic, null, null, keyOf(alert), encoder.encode(alert));
    }
}
