package org.turnoutstream.events;

import java.nio.charset.StandardCharsets;

/**
 * A Kafka record exactly as received: coordinates, key and value bytes, headers. Decoding happens
 * downstream, so a record that cannot be decoded still reaches the dead-letter topic byte for byte.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;
    public String[] headerKeys = new String[0];
    public byte[][] headerValues = new byte[0][];

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    /**
     * When the centre heard this record: its Kafka timestamp (the producer's send time, or the broker's append
     * time on LogAppendTime topics). {@code fallback} when the record carries none (-1, pre-0.10 formats).
     */
    public long heardAt(long fallback) {
        return timestamp >= 0 ? timestamp : fallback;
    }

    public String keyAsString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }
}
