package org.turnoutstream.simulator;

/** Where the encoded records go (Kafka, or nowhere in a dry run). */
public interface RecordSink extends AutoCloseable {
    /**
     * Sends one record. {@code timestampMillis} is when the centre receives it on the simulated clock (the
     * record's send time): the Kafka record timestamp, which the job's outage detector judges liveness by.
     */
    void send(String topic, byte[] key, byte[] value, long timestampMillis);

    /** Waits until everything sent so far is acknowledged. */
    default void flush() {}

    @Override
    default void close() {}
}
