package org.turnoutstream.cli;

import org.turnoutstream.config.KafkaCredentials;
import org.turnoutstream.config.KafkaPropertiesFile;
import org.turnoutstream.config.RegistryCredentials;
import org.turnoutstream.config.Secrets;
import org.turnoutstream.registry.RegistryConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

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

    @Option(names = "--registry-password", description = "Registry basic-auth password (visible in the process list: prefer --registry-password-file or TURNOUT_REGISTRY_PASSWORD).")
    public String registryPassword;

    @Option(names = "--registry-password-file", paramLabel = "FILE", description = "File holding the registry basic-auth password (its first line), e.g. a mounted secret.")
    public Path registryPasswordFile;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra Kafka client property (SASL/TLS, tuning); repeatable.")
    public Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--kafka-properties", paramLabel = "FILE", description = "File of extra Kafka client properties, e.g. a mounted secret with"
            + " security.protocol, sasl.mechanism, sasl.jaas.config and the ssl.truststore settings; --kafka-property wins over it.")
    public Path kafkaPropertiesFile;

    /** The Kafka clients' extra properties: --kafka-properties FILE, overridden by --kafka-property; an unreadable file is {@code cli}'s usage error. */
    public Map<String, String> kafkaClientProperties(CommandLine cli) {
        Map<String, String> all = new LinkedHashMap<>();
        if (kafkaPropertiesFile != null) {
            Properties file;
            try {
                file = KafkaPropertiesFile.read(kafkaPropertiesFile);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, e.getMessage());
            }
            file.stringPropertyNames().forEach(name -> all.put(name, file.getProperty(name)));
        }
        all.putAll(kafkaProperties);
        return all;
    }

    /**
     * Asks Kafka and the registry once whether they accept the credentials: null when they do (or cannot be asked now: the
     * command reports an outage when it meets it), else the one line that says which refused whose credentials.
     */
    public String refusedCredentials(CommandLine cli, boolean kafka, boolean registry) {
        if (kafka) {
            Properties client = new Properties();
            client.putAll(kafkaClientProperties(cli));
            try {
                KafkaCredentials.check(bootstrapServers, client);
            } catch (KafkaCredentials.Refused e) {
                return e.getMessage();
            }
        }
        if (registry) {
            try {
                RegistryCredentials.check(registry(cli));
            } catch (RegistryCredentials.Refused e) {
                return e.getMessage();
            }
        }
        return null;
    }

    /** The registry with its credentials; a password given twice or an unreadable password file is {@code cli}'s usage error. */
    public RegistryConfig registry(CommandLine cli) {
        try {
            return RegistryConfig.of(registryUrl).withCredentials(registryUser,
                    Secrets.inlineOrFile("--registry-password", registryPassword, registryPasswordFile));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
    }
}
