package org.turnoutstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.turnoutstream.local.KafkaBroker;

/**
 * A real single-node Kafka broker for integration tests. Register with
 * {@code @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();}.
 * The broker starts once per test JVM, on first use, and is shared by every test class (starting
 * one takes seconds); it is stopped when JUnit closes its root store, or by the JVM shutdown hook.
 * Tests share it, so they should use their own topic names.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    private static volatile Shared shared;

    @Override
    public void beforeAll(ExtensionContext context) {
        // the root store closes AutoCloseable values when the whole test plan is done
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Shared.class, k -> shared(), Shared.class);
    }

    public String bootstrapServers() {
        return shared().broker.bootstrapServers();
    }

    public KafkaBroker broker() {
        return shared().broker;
    }

    /** Creates the topic if absent and waits until every partition has a leader. */
    public void createTopic(String name, int partitions) {
        createTopic(shared().admin, name, partitions);
    }

    /** Through {@code admin}: creates the topic if absent and waits until every partition has a leader. */
    static void createTopic(Admin admin, String name, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(10, TimeUnit.SECONDS).get(name);
                if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException notYet) {
                // metadata not propagated yet
            } catch (Exception e) {
                throw new IllegalStateException("cannot describe topic " + name, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " has no leaders after " + TOPIC_READY_TIMEOUT.toSeconds() + " s");
            }
            sleep(100);
        }
    }

    /** Sends one record and waits for the broker's acknowledgement. */
    public void produce(String topic, byte[] key, byte[] value) {
        try {
            shared().producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /** A new idempotent byte-array producer; the caller closes it. */
    public Producer<byte[], byte[]> producer() {
        return new KafkaProducer<>(producerProperties(bootstrapServers()));
    }

    /** A new byte-array consumer without a group (use assign); the caller closes it. */
    public KafkaConsumer<byte[], byte[]> consumer(boolean readCommitted) {
        Properties client = new Properties();
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return consumer(client, readCommitted);
    }

    /** A byte-array consumer without a group, with {@code client}'s connection settings (bootstrap servers, security). */
    static KafkaConsumer<byte[], byte[]> consumer(Properties client, boolean readCommitted) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                (readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED).toString());
        return new KafkaConsumer<>(props);
    }

    /**
     * Every record of the topic from the beginning: reads up to the end offsets seen at the start
     * (the last stable offsets when {@code readCommitted}), then keeps polling until nothing new
     * arrives for {@code settle}, to pick up records still in flight.
     */
    public List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, boolean readCommitted, Duration settle) {
        Properties client = new Properties();
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return consumeAll(client, topic, readCommitted, settle);
    }

    /** {@link #consumeAll(String, boolean, Duration)} with {@code client}'s connection settings. */
    static List<ConsumerRecord<byte[], byte[]>> consumeAll(Properties client, String topic, boolean readCommitted, Duration settle) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(client, readCommitted)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            long lastArrival = System.nanoTime();
            while (System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                if (!batch.isEmpty()) {
                    batch.forEach(records::add);
                    lastArrival = System.nanoTime();
                }
                boolean reachedEnd = partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (reachedEnd && System.nanoTime() - lastArrival >= settle.toNanos()) {
                    return records;
                }
            }
            throw new IllegalStateException("did not reach the end of " + topic + " within "
                    + CONSUME_TIMEOUT.toSeconds() + " s; got " + records.size() + " records");
        }
    }

    static Properties producerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return props;
    }

    private static Shared shared() {
        Shared current = shared;
        if (current == null) {
            synchronized (KafkaBrokerExtension.class) {
                if (shared == null) {
                    shared = Shared.start();
                }
                current = shared;
            }
        }
        return current;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The broker plus the clients every test reuses. */
    private static final class Shared implements AutoCloseable {
        final Path dir;
        final KafkaBroker broker;
        final Admin admin;
        final Producer<byte[], byte[]> producer;
        private boolean closed;

        private Shared(Path dir, KafkaBroker broker) {
            this.dir = dir;
            this.broker = broker;
            Properties adminProps = new Properties();
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            this.admin = Admin.create(adminProps);
            this.producer = new KafkaProducer<>(producerProperties(broker.bootstrapServers()));
        }

        static Shared start() {
            try {
                Path dir = TempDirs.create("turnout-kafka-");
                Shared shared = new Shared(dir, KafkaBroker.start(dir, 0));
                // belt and braces: KafkaBroker kills its child on JVM exit, this also removes the data dir
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "kafka-extension-shutdown"));
                return shared;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test Kafka broker", e);
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (KafkaBrokerExtension.class) {
                if (KafkaBrokerExtension.shared == this) {
                    KafkaBrokerExtension.shared = null;
                }
            }
            producer.close(Duration.ofSeconds(5));
            admin.close(Duration.ofSeconds(5));
            broker.close();
            TempDirs.deleteQuietly(dir);
        }
    }
}
