package org.turnoutstream.testing;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.turnoutstream.local.KafkaBroker;

/**
 * A Kafka broker of its own (not the shared {@link KafkaBrokerExtension} one) that only a client with TLS and a SCRAM-SHA-512
 * user can use, as an HQ would run it: a SASL_SSL listener whose certificate a throwaway CA signed ({@link TlsMaterial}),
 * the users given created when it starts. {@link #clientProperties} are what a client needs to talk to it.
 */
public final class SaslSslKafka implements AutoCloseable {
    private final Path dir;
    private final TlsMaterial tls;
    private final KafkaBroker broker;
    private final String adminUser;
    private final Map<String, String> users;

    private SaslSslKafka(Path dir, TlsMaterial tls, KafkaBroker broker, Map<String, String> users, String adminUser) {
        this.dir = dir;
        this.tls = tls;
        this.broker = broker;
        this.users = users;
        this.adminUser = adminUser;
    }

    /** Starts the broker in {@code dir} with these SCRAM users (name to password); {@code testsUser} is the one the test's own clients use (topics, reading). */
    public static SaslSslKafka start(Path dir, Map<String, String> users, String testsUser) throws IOException {
        if (!users.containsKey(testsUser)) throw new IllegalArgumentException("the tests' user " + testsUser + " is not among the users");
        TlsMaterial tls = TlsMaterial.generate(dir.resolve("tls"), "tls-" + Long.toHexString(System.nanoTime()));
        KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"), 0, false,
                new KafkaBroker.SaslSsl(tls.keystore(), tls.password(), users));
        return new SaslSslKafka(dir, tls, broker, new LinkedHashMap<>(users), testsUser);
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public KafkaBroker broker() {
        return broker;
    }

    public TlsMaterial tls() {
        return tls;
    }

    /** What a client of this broker needs: bootstrap servers, SASL_SSL, SCRAM-SHA-512 as {@code user}, the CA as truststore. */
    public Properties clientProperties(String user, String password) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.putAll(securityProperties(user, password));
        return p;
    }

    /** The security settings alone (no bootstrap servers), as an operator puts them in a {@code --kafka-properties} file. */
    public Map<String, String> securityProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.truststore().toAbsolutePath().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tls.password());
        return p;
    }

    /** Writes {@link #securityProperties} to {@code file} (a Java properties file, for {@code --kafka-properties FILE}). */
    public Path writeClientProperties(Path file, String user, String password) throws IOException {
        Properties p = new Properties();
        p.putAll(securityProperties(user, password));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "Kafka client settings for " + user);
        }
        return file;
    }

    private Properties adminClient() {
        return clientProperties(adminUser, users.get(adminUser));
    }

    /** Creates the topics (if absent), as the tests' user, and waits for their leaders. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(adminClient())) {
            for (String name : names) KafkaBrokerExtension.createTopic(admin, name, partitions);
        }
    }

    /** A byte-array producer as the tests' user; the caller closes it. */
    public Producer<byte[], byte[]> producer() {
        Properties p = KafkaBrokerExtension.producerProperties(bootstrapServers());
        p.putAll(adminClient());
        return new KafkaProducer<>(p);
    }

    /** Every record of the topic, as the tests' user (see {@link KafkaBrokerExtension#consumeAll}). */
    public List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, boolean readCommitted, Duration settle) {
        return KafkaBrokerExtension.consumeAll(adminClient(), topic, readCommitted, settle);
    }

    @Override
    public void close() {
        broker.close();
        TempDirs.deleteQuietly(dir.resolve("broker"));
    }
}
