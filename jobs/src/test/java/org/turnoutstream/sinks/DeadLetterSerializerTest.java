package org.turnoutstream.sinks;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RejectionReason;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dead letters as written: whole when they fit, cut to fit (never over the limit) when they do not. */
class DeadLetterSerializerTest {
    static final int LIMIT = 100_000;
    final DeadLetterSerializer serializer = new DeadLetterSerializer("dlq", LIMIT);

    @Test
    void aLetterThatFitsKeepsEverythingTheOriginalHeadersFirst() {
        RawRecord raw = record(new byte[] {1, 2, 3}, 500, 2);
        ProducerRecord<byte[], byte[]> letter = serializer.serialize(new DeadLetter(raw, RejectionReason.BAD_MAGIC_BYTE, "magic"), null, null);
        assertArrayEquals(raw.value, letter.value());
        assertArrayEquals(raw.key, letter.key());
        assertEquals(List.of("h0", "h1", "dlq.reason", "dlq.detail", "dlq.source.topic", "dlq.source.partition", "dlq.source.offset",
                "dlq.source.timestamp"), keys(letter));
        assertNull(letter.headers().lastHeader(DeadLetterSerializer.TRUNCATED));
    }

    @Test
    void openedTwiceAsTheExactlyOnceWriterDoesItCountsTruncationsInTheOneReportedCounter() {
        Map<String, Counter> registered = new HashMap<>();
        MetricGroup metrics = new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                Counter counter = new SimpleCounter();
                assertNull(registered.putIfAbsent(name, counter), "registered twice (a name collision, not reported): " + name);
                return counter;
            }
        };
        SerializationSchema.InitializationContext context = new SerializationSchema.InitializationContext() {
            @Override public MetricGroup getMetricGroup() { return metrics; }
            @Override public UserCodeClassLoader getUserCodeClassLoader() { throw new UnsupportedOperationException(); }
        };
        serializer.open(context, null);
        serializer.open(context, null);
        serializer.serialize(new DeadLetter(record(new byte[LIMIT + 5], 10, 1), RejectionReason.CORRUPT_AVRO, "corrupt"), null, null);
        assertEquals(1, registered.get("dead_letters_truncated").getCount());
    }

    @Test
    void aValueOverTheLimitKeepsItsFirstBytesWithItsSizeAndHash() {
        byte[] value = new byte[LIMIT + 5];
        Arrays.fill(value, (byte) 9);
        value[0] = 1;
        RawRecord raw = record(value, 200, 3);
        ProducerRecord<byte[], byte[]> letter = serializer.serialize(new DeadLetter(raw, RejectionReason.CORRUPT_AVRO, "corrupt"), null, null);
        assertTrue(size(letter) <= LIMIT, "within the limit: " + size(letter));
        assertTrue(letter.value().length > LIMIT - 5_000, "most of the value kept: " + letter.value().length);
        assertArrayEquals(Arrays.copyOf(value, letter.value().length), letter.value());
        assertEquals(Integer.toString(value.length), header(letter, DeadLetterSerializer.ORIGINAL_SIZE));
        assertEquals(64, header(letter, DeadLetterSerializer.ORIGINAL_SHA256).length());
        assertEquals("h0", keys(letter).get(0), "small original headers kept");
        assertEquals("CORRUPT_AVRO", header(letter, DeadLetterSerializer.REASON));
    }

    @Test
    void hugeOriginalHeadersAndKeyAreLeftOutOrCutSoTheLetterStillFits() {
        RawRecord raw = record(new byte[50_000], 5_000, 2);
        raw.key = new byte[30_000];
        raw.headerValues[0] = new byte[60_000];
        ProducerRecord<byte[], byte[]> letter = serializer.serialize(new DeadLetter(raw, RejectionReason.EMPTY_VALUE, "x"), null, null);
        assertTrue(size(letter) <= LIMIT, "within the limit: " + size(letter));
        assertEquals(1_024, letter.key().length);
        assertEquals("2", header(letter, DeadLetterSerializer.ORIGINAL_HEADERS_DROPPED));
        assertEquals("dlq.reason", keys(letter).get(0));
        assertEquals(50_000, letter.value().length, "the value fits once the headers are out");
        assertTrue(header(letter, DeadLetterSerializer.TRUNCATED).contains("the key's first 1024"));
    }

    @Test
    void aLimitTooSmallForTheHeadersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DeadLetterSerializer("dlq", 1_000));
    }

    static RawRecord record(byte[] value, int headerBytes, int headers) {
        RawRecord raw = new RawRecord("branch.turnout", 1, 42, 1_700_000_000_000L, "key".getBytes(StandardCharsets.UTF_8), value);
        raw.headerKeys = new String[headers];
        raw.headerValues = new byte[headers][];
        for (int i = 0; i < headers; i++) {
            raw.headerKeys[i] = "h" + i;
            raw.headerValues[i] = new byte[headerBytes];
        }
        return raw;
    }

    static long size(ProducerRecord<byte[], byte[]> record) {
        long size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        for (Header h : record.headers()) size += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
        return size;
    }

    static List<String> keys(ProducerRecord<byte[], byte[]> record) {
        List<String> keys = new ArrayList<>();
        for (Header h : record.headers()) keys.add(h.key());
        return keys;
    }

    static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
