package org.turnoutstream.sinks;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Writes a rejected record to the dead-letter topic with its original key, value and headers, plus
 * headers saying why and where it came from, so it can be inspected, fixed and replayed.
 *
 * <p>A dead letter larger than {@link #maxBytes} (key, value and headers; a record near the broker's limit, which the
 * headers added here would push over what the producer or the broker takes) keeps what fits: the value's first bytes,
 * with headers giving its original size and SHA-256 ({@link #TRUNCATED}, {@link #ORIGINAL_SIZE},
 * {@link #ORIGINAL_SHA256}), and without the original headers if even they do not fit. Writing it whole would fail the
 * job, which would then read the record again after its restart: a crash loop that stops the counting of every branch.
 * Counted by the metric {@code dead_letters_truncated}.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSerializer.class);

    /**
     * The default largest dead letter (key, value and headers): below the producer's default {@code max.request.size}
     * (1,048,576 bytes) and the broker's default {@code message.max.bytes} (1,048,588) with room for the record and
     * batch overhead.
     */
    public static final int DEFAULT_MAX_BYTES = 1_000_000;
    public static final String TRUNCATED = "dlq.truncated";
    public static final String ORIGINAL_SIZE = "dlq.original.size";
    public static final String ORIGINAL_SHA256 = "dlq.original.sha256";
    public static final String ORIGINAL_HEADERS_DROPPED = "dlq.original.headers.dropped";

    public static final String REASON = "dlq.reason";
    public static final String DETAIL = "dlq.detail";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";

    private final String topic;
    private final int maxBytes;
    private transient Counter truncated;

    public DeadLetterSerializer(String topic) {
        this(topic, DEFAULT_MAX_BYTES);
    }

    /** {@code maxBytes}: the largest dead letter written whole (key, value and headers). */
    public DeadLetterSerializer(String topic, int maxBytes) {
        if (maxBytes < 16_384) throw new IllegalArgumentException("the dead letters' size limit must be at least 16384 bytes: " + maxBytes);
        this.topic = topic;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        // the exactly-once KafkaWriter (flink-connector-kafka 5.0) opens its serializer twice; a second counter would not
        // be reported (a WARN "Name collision" per writer) and its increments lost
        if (truncated == null) truncated = context.getMetricGroup().counter("dead_letters_truncated");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RawRecord raw = letter.record;
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, utf8(letter.reason.name()));
        headers.add(DETAIL, utf8(letter.detail == null ? "" : letter.detail));
        headers.add(SOURCE_TOPIC, utf8(raw.topic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(raw.partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(raw.offset)));
        headers.add(SOURCE_TIMESTAMP, utf8(Long.toString(raw.timestamp)));
        byte[] key = raw.key;
        byte[] value = raw.value;
        long originalHeaders = 0;
        for (int i = 0; i < raw.headerKeys.length; i++) originalHeaders += size(raw.headerKeys[i], raw.headerValues[i]);
        long total = length(key) + length(value) + originalHeaders + size(headers);
        boolean keepOriginalHeaders = true;
        if (total > maxBytes) {
            // what fits: our headers and the truncation's (~200 bytes), the key up to 1 KB, the original headers if they
            // leave room, then as much of the value as fits
            if (key != null && key.length > 1_024) key = Arrays.copyOf(key, 1_024);
            long room = maxBytes - size(headers) - 512 - length(key);
            keepOriginalHeaders = originalHeaders <= room / 2;
            if (keepOriginalHeaders) room -= originalHeaders;
            int kept = (int) Math.max(0, Math.min(length(value), room));
            headers.add(TRUNCATED, utf8("the value's first " + kept + " bytes" + (key != raw.key ? " and the key's first 1024" : "")));
            headers.add(ORIGINAL_SIZE, utf8(Long.toString(length(value))));
            headers.add(ORIGINAL_SHA256, utf8(value == null ? "" : sha256(value)));
            if (!keepOriginalHeaders) headers.add(ORIGINAL_HEADERS_DROPPED, utf8(Integer.toString(raw.headerKeys.length)));
            LOG.warn("dead letter of {} too large to write whole ({} bytes with headers, limit {}): kept the value's first {} bytes{}; "
                    + "its original size and SHA-256 are in its headers", raw.coordinates(), total, maxBytes, kept,
                    keepOriginalHeaders ? "" : ", not its " + raw.headerKeys.length + " original header(s)");
            if (truncated != null) truncated.inc();
            value = value == null ? null : Arrays.copyOf(value, kept);
        }
        RecordHeaders all = new RecordHeaders();
        if (keepOriginalHeaders) for (int i = 0; i < raw.headerKeys.length; i++) all.add(raw.headerKeys[i], raw.headerValues[i]);
        for (Header header : headers) all.add(header);
        return new ProducerRecord<>(topic, null, raw.timestamp >= 0 ? raw.timestamp : null, key, value, all);
    }

    private static long length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static long size(String key, byte[] value) {
        return key.length() * 3L + length(value); // UTF-8: at most 3 bytes a char
    }

    private static long size(RecordHeaders headers) {
        long size = 0;
        for (Header header : headers) size += size(header.key(), header.value());
        return size;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
