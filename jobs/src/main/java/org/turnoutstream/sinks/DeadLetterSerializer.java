package org.turnoutstream.sinks;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes a rejected record to the dead-letter topic with its original key, value and headers, plus
 * headers saying why and where it came from, so it can be inspected, fixed and replayed.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String REASON = "dlq.reason";
    public static final String DETAIL = "dlq.detail";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RawRecord raw = letter.record;
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < raw.headerKeys.length; i++) headers.add(raw.headerKeys[i], raw.headerValues[i]);
        headers.add(REASON, utf8(letter.reason.name()));
        headers.add(DETAIL, utf8(letter.detail == null ? "" : letter.detail));
        headers.add(SOURCE_TOPIC, utf8(raw.topic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(raw.partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(raw.offset)));
        headers.add(SOURCE_TIMESTAMP, utf8(Long.toString(raw.timestamp)));
        return new ProducerRecord<>(topic, null, raw.timestamp >= 0 ? raw.timestamp : null, raw.key, raw.value, headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
