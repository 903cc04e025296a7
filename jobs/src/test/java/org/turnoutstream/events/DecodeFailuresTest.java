package org.turnoutstream.events;
import org.turnoutstream.registry.RegistryUnavailableException;
import org.turnoutstream.registry.RegistryConfig;



import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.events.DecodeException.Reason;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDay;
import org.turnoutstream.testing.SchemaRegistryExtension;

/** Every way a value can be undecodable, each with its own dead-letter reason. */
class DecodeFailuresTest {
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final String TOPIC = "decode-failures.branch.turnout";

    private final ConfluentAvroDecoder<TurnoutReport> decoder = ConfluentAvroDecoder.forTurnoutReports(REGISTRY.config());

    private static Reason reasonFor(ConfluentAvroDecoder<TurnoutReport> decoder, byte[] value) {
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(value));
        assertTrue(e.getMessage().length() < 200, "short message: " + e.getMessage());
        assertEquals(0, e.getStackTrace().length, "no stack trace captured per bad record");
        return e.reason();
    }

    private byte[] validValue() {
        return ConfluentAvroEncoder.forTopic(REGISTRY.config(), TOPIC, TurnoutReport.class).encode(ElectionDay.turnout());
    }

    @Test
    void emptyValue() {
        assertEquals(Reason.EMPTY_VALUE, reasonFor(decoder, null));
        assertEquals(Reason.EMPTY_VALUE, reasonFor(decoder, new byte[0]));
    }

    @Test
    void badMagicByte() {
        // a JSON report from a misconfigured branch terminal
        byte[] json = "{\"branchId\":\"karaj-0017\",\"ballotsCast\":412}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(Reason.BAD_MAGIC_BYTE, reasonFor(decoder, json));
        byte[] value = validValue();
        value[0] = 1;
        assertEquals(Reason.BAD_MAGIC_BYTE, reasonFor(decoder, value));
    }

    @Test
    void truncatedHeader() {
        assertEquals(Reason.TRUNCATED_HEADER, reasonFor(decoder, new byte[] {0}));
        assertEquals(Reason.TRUNCATED_HEADER, reasonFor(decoder, Arrays.copyOf(validValue(), 3)));
    }

    @Test
    void unknownSchemaId() {
        byte[] value = validValue();
        ByteBuffer.wrap(value).putInt(1, 2_000_000_017);
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(value));
        assertEquals(Reason.UNKNOWN_SCHEMA_ID, e.reason());
        assertTrue(e.getMessage().contains("2000000017"), e.getMessage());
    }

    @Test
    void corruptAvroBody() {
        byte[] valid = validValue();
        byte[] header = Arrays.copyOf(valid, ConfluentSchemaCoder.HEADER_LENGTH);

        byte[] garbage = Arrays.copyOf(header, 40);
        Arrays.fill(garbage, ConfluentSchemaCoder.HEADER_LENGTH, garbage.length, (byte) 0xff);
        assertEquals(Reason.CORRUPT_AVRO, reasonFor(decoder, garbage));

        assertEquals(Reason.CORRUPT_AVRO, reasonFor(decoder, Arrays.copyOf(valid, valid.length - 3)), "body cut short");
        assertEquals(Reason.CORRUPT_AVRO, reasonFor(decoder, header), "header only, no body");

        byte[] trailing = Arrays.copyOf(valid, valid.length + 2);
        assertEquals(Reason.CORRUPT_AVRO, reasonFor(decoder, trailing), "bytes after the record");

        // a first string said to be 2^31 bytes long (zig-zag var-int 0x80 0x80 0x80 0x80 0x10): Avro refuses it with an
        // UnsupportedOperationException, which once escaped the decoder and failed the task at every restart
        byte[] hugeString = Arrays.copyOf(header, ConfluentSchemaCoder.HEADER_LENGTH + 5);
        byte[] length = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10};
        System.arraycopy(length, 0, hugeString, ConfluentSchemaCoder.HEADER_LENGTH, 5);
        assertEquals(Reason.CORRUPT_AVRO, reasonFor(decoder, hugeString), "a string longer than Java's");

        assertEquals(ElectionDay.turnout(), assertDoesNotThrow(valid), "the intact value still decodes");
    }

    @Test
    void unreachableRegistryIsNotABadRecord() {
        byte[] value = validValue();
        RegistryConfig down = RegistryConfig.of("http://127.0.0.1:" + FreePorts.pick() + "/apis/ccompat/v7")
                .withRetryBudget(Duration.ofMillis(300));
        ConfluentAvroDecoder<TurnoutReport> cut = ConfluentAvroDecoder.forTurnoutReports(down);
        assertThrows(RegistryUnavailableException.class, () -> cut.decode(value));
    }

    private TurnoutReport assertDoesNotThrow(byte[] value) {
        try {
            return decoder.decode(value);
        } catch (DecodeException e) {
            throw new AssertionError("valid value rejected: " + e, e);
        }
    }
}
