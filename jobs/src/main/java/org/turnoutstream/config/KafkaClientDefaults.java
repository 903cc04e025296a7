package org.turnoutstream.config;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.metrics.JmxReporter;
import org.turnoutstream.health.KafkaReachability;

import java.util.Properties;

/**
 * What the job's Kafka clients (sources, sinks, their admin clients) use unless --kafka-properties or --kafka-property
 * say otherwise. While a broker is away, a client with Kafka's defaults tries to reconnect every second at most, and so
 * do the job's dozen clients: hundreds of connection attempts (and warnings) a minute. These back off to one attempt per
 * 10 s per client; a broker that is back is seen within those 10 s. {@link KafkaReachability} says in one line when the
 * cluster is unreachable and in one when it is back (Kafka's JMX reporter, its default, stays).
 */
public final class KafkaClientDefaults {
    static final String RECONNECT_BACKOFF_MS = "250";
    static final String RECONNECT_BACKOFF_MAX_MS = "10000";
    static final String RETRY_BACKOFF_MAX_MS = "10000";

    private KafkaClientDefaults() {
    }

    public static Properties properties() {
        Properties defaults = new Properties();
        defaults.setProperty(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, RECONNECT_BACKOFF_MS);
        defaults.setProperty(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        defaults.setProperty(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, RETRY_BACKOFF_MAX_MS);
        defaults.setProperty(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG,
                JmxReporter.class.getName() + "," + KafkaReachability.class.getName());
        return defaults;
    }
}
