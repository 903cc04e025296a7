package org.turnoutstream.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Describes the effective options for the start-up log, with every secret masked. */
public final class OptionsReport {
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|passphrase|secret|token|jaas|credential|private|keystore\\.key).*");
    /** Every setting Kafka's clients themselves treat as a password (ConfigDef.Type.PASSWORD), whatever its name. */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords();
    public static final String MASK = "******";

    private OptionsReport() {}

    /** One line per option of {@code options} ({@link JobOption} fields, as declared): {@code --name = value}, secrets masked. */
    public static List<String> describe(Object options) {
        List<String> lines = new ArrayList<>();
        for (OptionDefinition option : OptionDefinition.of(options.getClass())) {
            lines.add(option.name() + " = " + masked(option.name(), option.get(options)));
        }
        return lines;
    }

    public static String masked(String name, Object value) {
        if (value == null) return "(not set)";
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            map.forEach((k, v) -> {
                if (out.length() > 1) out.append(", ");
                out.append(k).append('=').append(isSecret(String.valueOf(k)) ? MASK : v);
            });
            return out.append('}').toString();
        }
        return isSecret(name) ? MASK : String.valueOf(value);
    }

    public static boolean isSecret(String name) {
        return KAFKA_PASSWORDS.contains(name) || SECRET.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }

    private static Set<String> kafkaPasswords() {
        Set<String> keys = new HashSet<>();
        for (ConfigDef def : List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef())) {
            def.configKeys().forEach((key, config) -> {
                if (config.type == ConfigDef.Type.PASSWORD) keys.add(key);
            });
        }
        return Set.copyOf(keys);
    }

    /**
     * What the live job reads and writes, in one phrase for its RUNNING line: the topics and group, InfluxDB's URL and
     * database, the DLQ and alerts topics (no credentials).
     */
    public static String flow(JobOptions o) {
        return "reads " + o.turnoutTopic + " and " + o.connectivityTopic + " from Kafka " + o.bootstrapServers + " (group " + o.groupId
                + ", registry " + o.registryUrl + "); writes InfluxDB " + o.influxUrl + " database " + o.influxDatabase
                + ", dead letters to " + o.deadLetterTopic + ", alerts to " + o.alertsTopic;
    }
}
