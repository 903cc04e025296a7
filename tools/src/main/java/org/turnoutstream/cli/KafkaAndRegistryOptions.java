package org.turnoutstream.cli;

import org.turnoutstream.registry.RegistryConfig;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kafka and schema-registry endpoints of the commands that talk to them outside a job (simulate, alerts tail):
 * one declaration, so flags, TURNOUT_* environment variables, the config file and the local stack's endpoints
 * ({@link LocalStackDefaults}) apply to all alike. The job's own are in JobOptions.
 */
public final class KafkaAndRegistryOptions {
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    public String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "http://localhost:8081", description = "Confluent Schema Registry API base URL (default: ${DEFAULT-VALUE}).")
    public String registryUrl;

    @Option(names = "--registry-user", description = "Registry basic-auth user.")
    public String registryUser;

    @Option(names = "--registry-password", description = "Registry basic-auth password.")
    public String registryPassword;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra Kafka client property (SASL/TLS, tuning); repeatable.")
    public Map<String, String> kafkaProperties = new LinkedHashMap<>();

    public RegistryConfig registry() {
        return RegistryConfig.of(registryUrl).withCredentials(registryUser, registryPassword);
    }
}
