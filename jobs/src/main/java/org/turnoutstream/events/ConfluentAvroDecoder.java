package org.turnoutstream.events;

import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.RegistryConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * Decodes Confluent-framed Avro values into a generated record class. The writer schema comes
 * from the registry by the id in each value, the reader schema is the class's own, so values
 * written with any BACKWARD-compatible newer (or older) schema decode into this version.
 *
 * <p>Serializable so a job can ship it; the registry client is created lazily on first use,
 * i.e. on the TaskManager. Thread-safe.
 */
public final class ConfluentAvroDecoder<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RegistryConfig config;
    private final Class<T> recordClass;

    private transient volatile ConfluentSchemaCoder coder;
    private transient Map<Schema, SpecificDatumReader<T>> readersByWriter;
    private transient volatile LastReader<T> last;
    /** A binary decoder per thread, reset onto each value (decoders are cheap to reset, not to make). */
    private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

    private ConfluentAvroDecoder(RegistryConfig config, Class<T> recordClass) {
        this.config = Objects.requireNonNull(config, "config");
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
    }

    public static <T extends SpecificRecord> ConfluentAvroDecoder<T> forClass(RegistryConfig config, Class<T> recordClass) {
        return new ConfluentAvroDecoder<>(config, recordClass);
    }

    /** Values of {@link Topics#TURNOUT}. */
    public static ConfluentAvroDecoder<TurnoutReport> forTurnoutReports(RegistryConfig config) {
        return forClass(config, TurnoutReport.class);
    }

    /** Values of {@link Topics#CONNECTIVITY}. */
    public static ConfluentAvroDecoder<ConnectivityEvent> forConnectivityEvents(RegistryConfig config) {
        return forClass(config, ConnectivityEvent.class);
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    /**
     * @throws DecodeException the value is not a readable record (dead-letter it)
     * @throws RegistryUnavailableException the registry cannot be reached (fail the job, keep the record)
     */
    public T decode(byte[] value) throws DecodeException {
        if (value == null || value.length == 0) {
            throw new DecodeException(DecodeException.Reason.EMPTY_VALUE, "value is empty (null or zero bytes)");
        }
        ConfluentSchemaCoder coder = coder();
        SpecificDatumReader<T> reader = readerFor(value, coder);
        BinaryDecoder body = DecoderFactory.get()
                .binaryDecoder(value, ConfluentSchemaCoder.HEADER_LENGTH, value.length - ConfluentSchemaCoder.HEADER_LENGTH, DECODERS.get());
        DECODERS.set(body);
        T record;
        try {
            record = reader.read(null, body);
        } catch (IOException | RuntimeException e) {
            // garbage bytes surface as any of these, depending on where the parser trips (an IOException, AvroRuntimeException,
            // IndexOutOfBounds, NegativeArraySize, ClassCast or IllegalArgument, and UnsupportedOperationException for a
            // string length beyond what a Java string can hold): whatever it is, the record is corrupt, not the job
            throw new DecodeException(DecodeException.Reason.CORRUPT_AVRO,
                    "Avro body does not match writer schema id " + schemaIdOf(value) + ": " + shortMessage(e));
        }
        int trailing = remaining(body);
        if (trailing > 0) {
            throw new DecodeException(DecodeException.Reason.CORRUPT_AVRO,
                    trailing + " byte(s) left after the record written with schema id " + schemaIdOf(value));
        }
        return record;
    }

    private ConfluentSchemaCoder coder() {
        ConfluentSchemaCoder current = coder;
        if (current == null) {
            synchronized (this) {
                if (coder == null) {
                    readersByWriter = new ConcurrentHashMap<>();
                    coder = new ConfluentSchemaCoder(new ConfluentRegistryClient(config), null);
                }
                current = coder;
            }
        }
        return current;
    }

    /**
     * The reader for the writer schema named in the header. The schema id of the last record is remembered: a topic's
     * records mostly share one writer schema, so the common case is one comparison instead of two map lookups.
     */
    private SpecificDatumReader<T> readerFor(byte[] value, ConfluentSchemaCoder coder) throws DecodeException {
        if (value.length >= ConfluentSchemaCoder.HEADER_LENGTH && value[0] == 0) {
            int id = schemaIdOf(value);
            LastReader<T> hit = last;
            if (hit != null && hit.schemaId == id) return hit.reader;
            SpecificDatumReader<T> reader = readerFor(coder.schemaFor(id));
            last = new LastReader<>(id, reader);
            return reader;
        }
        // not Confluent-framed: the coder says exactly what is wrong with the header
        try {
            return readerFor(coder.schemaFor(coder.readSchemaId(new ByteArrayInputStream(value))));
        } catch (DecodeException e) {
            throw e;
        } catch (IOException impossible) {
            throw new DecodeException(DecodeException.Reason.TRUNCATED_HEADER, "unreadable header: " + impossible.getMessage());
        }
    }

    /**
     * Whether {@code value} is Confluent-framed with the id of a schema equal to the reader's own (the generated class's):
     * then its body can be read field by field in the reader's order, as {@link org.turnoutstream.events.KnownBranchRecords}
     * does. False for anything else, also an id the registry does not know ({@link #decode} reports that). The answer
     * for the last id is remembered.
     *
     * @throws RegistryUnavailableException the registry cannot be reached (as {@link #decode})
     */
    public boolean writtenWithReaderSchema(byte[] value) {
        if (value == null || value.length < ConfluentSchemaCoder.HEADER_LENGTH || value[0] != 0) return false;
        int id = schemaIdOf(value);
        SameAsReader last = lastSameAsReader;
        if (last != null && last.schemaId == id) return last.same;
        boolean same;
        try {
            same = coder().schemaFor(id).equals(SpecificData.getForClass(recordClass).getSchema(recordClass));
        } catch (DecodeException e) {
            return false;
        }
        lastSameAsReader = new SameAsReader(id, same);
        return same;
    }

    private record SameAsReader(int schemaId, boolean same) {}

    private transient volatile SameAsReader lastSameAsReader;

    /** The schema id in a Confluent header (big-endian, after the magic byte). */
    private static int schemaIdOf(byte[] value) {
        return (value[1] & 0xFF) << 24 | (value[2] & 0xFF) << 16 | (value[3] & 0xFF) << 8 | (value[4] & 0xFF);
    }

    private record LastReader<T>(int schemaId, SpecificDatumReader<T> reader) {}

    private SpecificDatumReader<T> readerFor(Schema writer) {
        // schema resolution is costly; the client hands out one Schema instance per id, so this hits
        return readersByWriter.computeIfAbsent(writer, w -> {
            SpecificData model = SpecificData.getForClass(recordClass);
            Schema readerSchema = model.getSchema(recordClass);
            return new ResolvedRecordReader<>(w, readerSchema, model);
        });
    }

    private static int remaining(BinaryDecoder body) {
        try {
            return body.isEnd() ? 0 : body.inputStream().available();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String shortMessage(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + (message.length() > 160 ? message.substring(0, 160) + "..." : message));
    }

    @Override
    public String toString() {
        return "ConfluentAvroDecoder[" + recordClass.getSimpleName() + ", " + config + "]";
    }
}
