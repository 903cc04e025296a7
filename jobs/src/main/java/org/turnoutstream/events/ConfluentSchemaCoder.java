package org.turnoutstream.events;

import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.registry.UnknownSchemaIdException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.flink.formats.avro.SchemaCoder;

/**
 * The Confluent wire-format header: magic byte 0, then the schema id as a 4-byte big-endian int.
 * Plugs into flink-avro's registry (de)serialization schemas and is used by the decoders here.
 * Read failures are {@link DecodeException}s; an unreachable registry is a
 * {@link RegistryUnavailableException} and is never confused with a bad record.
 */
public final class ConfluentSchemaCoder implements SchemaCoder {
    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private final ConfluentRegistryClient client;
    private final String subject;
    private final Map<Schema, Integer> writerIds = new ConcurrentHashMap<>();

    /**
     * @param subject where {@link #writeSchema} registers schemas; may be null for a read-only coder
     */
    public ConfluentSchemaCoder(ConfluentRegistryClient client, String subject) {
        this.client = Objects.requireNonNull(client, "client");
        this.subject = subject;
    }

    public static Provider provider(RegistryConfig config, String subject) {
        return new Provider(config, subject);
    }

    /** Reads the header and returns the writer schema it names. */
    @Override
    public Schema readSchema(InputStream in) throws IOException {
        return schemaFor(readSchemaId(in));
    }

    /** Reads the header and returns the schema id; the stream is left at the Avro body. */
    public int readSchemaId(InputStream in) throws IOException {
        int magic = in.read();
        if (magic == -1) {
            throw new DecodeException(DecodeException.Reason.TRUNCATED_HEADER, "no magic byte: value is empty");
        }
        if (magic != MAGIC_BYTE) {
            throw new DecodeException(DecodeException.Reason.BAD_MAGIC_BYTE,
                    String.format("magic byte 0x%02x, expected 0x00: not Confluent-framed Avro", magic));
        }
        try {
            return new DataInputStream(in).readInt();
        } catch (EOFException e) {
            throw new DecodeException(DecodeException.Reason.TRUNCATED_HEADER,
                    "value ends inside the 5-byte header (magic byte + schema id)");
        }
    }

    /** The writer schema with this id; an id the registry does not know makes the record undecodable. */
    public Schema schemaFor(int schemaId) throws DecodeException {
        try {
            return client.schemaById(schemaId);
        } catch (UnknownSchemaIdException e) {
            throw new DecodeException(DecodeException.Reason.UNKNOWN_SCHEMA_ID,
                    "schema id " + schemaId + " is not in the registry");
        }
    }

    /** Registers the schema under this coder's subject (once per schema) and writes the header. */
    @Override
    public void writeSchema(Schema schema, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeByte(MAGIC_BYTE);
        data.writeInt(idOf(schema));
        data.flush();
    }

    /** The id of the schema under this coder's subject, registering it on first use. */
    public int idOf(Schema schema) {
        if (subject == null) {
            throw new IllegalStateException("this coder has no subject, so it cannot write schemas");
        }
        // register is idempotent, so a race between two threads only costs one extra request
        Integer id = writerIds.get(schema);
        if (id == null) {
            id = client.register(subject, schema);
            writerIds.put(schema, id);
        }
        return id;
    }

    public String subject() {
        return subject;
    }

    /**
     * Creates a coder on each task: the HTTP client is not serializable, the config is.
     */
    public static final class Provider implements SchemaCoder.SchemaCoderProvider {
        private static final long serialVersionUID = 1L;
        private final RegistryConfig config;
        private final String subject;

        public Provider(RegistryConfig config, String subject) {
            this.config = Objects.requireNonNull(config, "config");
            this.subject = subject;
        }

        @Override
        public ConfluentSchemaCoder get() {
            return new ConfluentSchemaCoder(new ConfluentRegistryClient(config), subject);
        }

        public RegistryConfig config() {
            return config;
        }

        public String subject() {
            return subject;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Provider)) {
                return false;
            }
            Provider that = (Provider) o;
            return config.equals(that.config) && Objects.equals(subject, that.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(config, subject);
        }

        @Override
        public String toString() {
            return "ConfluentSchemaCoder.Provider[" + config + ", subject=" + subject + "]";
        }
    }
}
