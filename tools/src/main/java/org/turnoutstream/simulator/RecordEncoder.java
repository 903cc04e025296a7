package org.turnoutstream.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.events.ConfluentSchemaCoder;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * Turns a {@link SimulatedRecord} into the bytes sent to Kafka: Confluent framing (magic byte 0, 4-byte
 * schema id, Avro binary) for records, raw values as they are, and a body cut short for
 * {@link FaultKind#CORRUPT_AVRO}. Schema ids come from the registry ({@link #viaRegistry}: each schema
 * is registered under its topic's subject on first use, through {@link ConfluentAvroEncoder}) or are
 * fixed ({@link #withSchemaIds}, for dry runs and tests). Not thread-safe (buffers are reused).
 */
public final class RecordEncoder {
    /** Bytes cut from the end of a CORRUPT_AVRO body: always inside the last varint (eventTime), so decoding hits EOF. */
    static final int CORRUPT_CUT = 2;

    private final Function<SimulatedRecord, Integer> schemaIdLookup;
    private final SpecificDatumWriter<TurnoutReport> turnoutWriter = new SpecificDatumWriter<>(TurnoutReport.class);
    private final SpecificDatumWriter<ConnectivityEvent> connectivityWriter = new SpecificDatumWriter<>(ConnectivityEvent.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
    private BinaryEncoder encoder;

    private RecordEncoder(Function<SimulatedRecord, Integer> schemaIdLookup) {
        this.schemaIdLookup = schemaIdLookup;
    }

    public static RecordEncoder withSchemaIds(int turnoutSchemaId, int connectivitySchemaId) {
        return new RecordEncoder(r -> r.record() instanceof TurnoutReport ? turnoutSchemaId : connectivitySchemaId);
    }

    /** Registers (or looks up) each value schema under {@code <topic>-value} on first use. */
    public static RecordEncoder viaRegistry(RegistryConfig registry, String turnoutTopic, String connectivityTopic) {
        ConfluentAvroEncoder<TurnoutReport> turnout = ConfluentAvroEncoder.forTopic(registry, turnoutTopic, TurnoutReport.class);
        ConfluentAvroEncoder<ConnectivityEvent> connectivity = ConfluentAvroEncoder.forTopic(registry, connectivityTopic, ConnectivityEvent.class);
        int[] ids = {-1, -1};
        return new RecordEncoder(r -> {
            if (r.record() instanceof TurnoutReport t) {
                if (ids[0] < 0) ids[0] = schemaId(turnout.encode(t));
                return ids[0];
            }
            if (ids[1] < 0) ids[1] = schemaId(connectivity.encode((ConnectivityEvent) r.record()));
            return ids[1];
        });
    }

    private static int schemaId(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    public byte[] encode(SimulatedRecord r) {
        if (r.rawValue() != null) return r.rawValue();
        SpecificRecord record = r.record();
        int id = schemaIdLookup.apply(r);
        buffer.reset();
        buffer.write(ConfluentSchemaCoder.MAGIC_BYTE);
        buffer.write(id >>> 24);
        buffer.write(id >>> 16);
        buffer.write(id >>> 8);
        buffer.write(id);
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            if (record instanceof TurnoutReport t) turnoutWriter.write(t, encoder);
            else connectivityWriter.write((ConnectivityEvent) record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + record.getClass().getSimpleName(), e);
        }
        byte[] bytes = buffer.toByteArray();
        if (r.fault() == FaultKind.CORRUPT_AVRO) bytes = Arrays.copyOf(bytes, bytes.length - CORRUPT_CUT);
        return bytes;
    }
}
