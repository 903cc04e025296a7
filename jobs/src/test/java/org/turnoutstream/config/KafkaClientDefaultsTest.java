package org.turnoutstream.config;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The job's Kafka clients back off while a broker is away, and say so once; the user's properties still win. */
class KafkaClientDefaultsTest {
    @Test
    void theJobsClientsBackOffAndReportReachability() {
        Properties client = JobOptions.of().kafkaClientProperties();
        assertEquals("250", client.getProperty("reconnect.backoff.ms"));
        assertEquals("10000", client.getProperty("reconnect.backoff.max.ms"));
        assertEquals("10000", client.getProperty("retry.backoff.max.ms"));
        assertEquals("org.apache.kafka.common.metrics.JmxReporter,org.turnoutstream.health.KafkaReachability",
                client.getProperty("metric.reporters"));
    }

    @Test
    void aKafkaPropertyOfTheUserWins() {
        Properties client = JobOptions.of(
                "--kafka-property", "reconnect.backoff.max.ms=2000", "--kafka-property", "metric.reporters=").kafkaClientProperties();
        assertEquals("2000", client.getProperty("reconnect.backoff.max.ms"));
        assertEquals("", client.getProperty("metric.reporters"));
        assertEquals("250", client.getProperty("reconnect.backoff.ms"));
    }
}
