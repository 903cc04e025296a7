package org.turnoutstream.simulator;

/** Where the encoded records go (Kafka, or nowhere in a dry run). */
public interface RecordSink extends AutoCloseable {
    void send(String topic, byte[] key, byte[] value);

    /** Waits until everything sent so far is acknowledged. */
    default void flush() {}

    @Override
    default void close() {}
}
