package org.turnoutstream.events;

import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.registry.Subjects;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes generated records in the Confluent wire format, registering the record's schema under
 * {@code <topic>-value} (TopicNameStrategy) on first use. Serializable, lazily connected, and
 * thread-safe.
 */
public final class ConfluentAvroEncoder<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RegistryConfig config;
    private final String topic;
    private final Class<T> recordClass;

    private transient volatile ConfluentSchemaCoder coder;

    private ConfluentAvroEncoder(RegistryConfig config, String topic, Class<T> recordClass) {
        this.config = Objects.requireNonNull(config, "config");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
    }

    public static <T extends SpecificRecord> ConfluentAvroEncoder<T> forTopic(RegistryConfig config, String topic, Class<T> recordClass) {
        return new ConfluentAvroEncoder<>(config, topic, recordClass);
    }

    public String topic() {
        return topic;
    }

    public String subject() {
        return Subjects.valueSubject(topic);
    }

    /**
     * @throws IncompatibleSchemaException the record's schema breaks the subject's compatibility rule
     * @throws RegistryUnavailableException the registry cannot be reached
     */
    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try {
            coder().writeSchema(record.getSchema(), out);
            SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(record.getSchema(), SpecificData.getForClass(recordClass));
            BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(record, body);
            body.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + recordClass.getSimpleName(), e);
        }
        return out.toByteArray();
    }

    private ConfluentSchemaCoder coder() {
        ConfluentSchemaCoder current = coder;
        if (current == null) {
            synchronized (this) {
                if (coder == null) {
                    coder = new ConfluentSchemaCoder(new ConfluentRegistryClient(config), subject());
                }
                current = coder;
            }
        }
        return current;
    }

    @Override
    public String toString() {
        return "ConfluentAvroEncoder[" + recordClass.getSimpleName() + " -> " + subject() + ", " + config + "]";
    }
}
