package org.turnoutstream.events;

import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.IncompatibleSchemaException;
import org.turnoutstream.registry.Subjects;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDay;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

/**
 * Branch terminals get upgraded during the day while the jobs keep running: a report written
 * with a newer BACKWARD-compatible schema must still decode in the deployed (v1) job.
 */
class SchemaEvolutionTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final String SUBJECT = Subjects.valueSubject(Topics.TURNOUT);
    private static final String TOPIC = "evolution." + Topics.TURNOUT;

    @BeforeEach
    @AfterEach
    void emptySubject() {
        REGISTRY.resetSubject(SUBJECT);
    }

    /** v1 plus a field with a default: what a terminal upgrade may add. */
    static Schema turnoutV2() {
        String v1 = TurnoutReport.getClassSchema().toString();
        String v2 = v1.substring(0, v1.lastIndexOf(']'))
                + ",{\"name\":\"operatorNote\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
        return new Schema.Parser().parse(v2);
    }

    @Test
    void v1DecoderReadsReportsWrittenWithV2() throws Exception {
        ConfluentRegistryClient client = REGISTRY.client();
        client.setCompatibility(SUBJECT, "BACKWARD");
        int v1Id = client.register(SUBJECT, TurnoutReport.getClassSchema());
        Schema v2 = turnoutV2();
        int v2Id = client.register(SUBJECT, v2);
        assertEquals(v2, client.latestSchema(SUBJECT).orElseThrow());

        TurnoutReport expected = ElectionDay.turnout("karaj-0017", 12, 2_381, ElectionDayFixtures.RUN_OFF_POLLS_OPEN.plusSeconds(6 * 3600));
        GenericRecord written = new GenericData.Record(v2);
        written.put("election", expected.getElection());
        written.put("branchId", expected.getBranchId());
        written.put("constituencyId", expected.getConstituencyId());
        written.put("sequence", expected.getSequence());
        written.put("ballotsCast", expected.getBallotsCast());
        written.put("eventTime", expected.getEventTime().toEpochMilli());
        written.put("operatorNote", "queue outside, second ballot box opened");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ConfluentSchemaCoder(client, SUBJECT).writeSchema(v2, out);
        BinaryEncoder body = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v2).write(written, body);
        body.flush();
        byte[] value = out.toByteArray();
        assertEquals(v2Id, java.nio.ByteBuffer.wrap(value, 1, 4).getInt(), "framed with the v2 id, not v1 " + v1Id);

        KAFKA.createTopic(TOPIC, 1);
        KAFKA.produce(TOPIC, expected.getBranchId().getBytes(StandardCharsets.UTF_8), value);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consumeAll(TOPIC, true, Duration.ofMillis(200));

        TurnoutReport decoded = ConfluentAvroDecoder.forTurnoutReports(REGISTRY.config()).decode(records.get(records.size() - 1).value());
        assertEquals(expected, decoded, "every v1 field intact, the v2 field ignored");
    }

    /** A newer gateway schema whose enums list their symbols in another order: values are matched by name, not position. */
    @Test
    void enumValuesWrittenWithAnotherSymbolOrderDecodeByName() throws Exception {
        String connectivitySubject = Subjects.valueSubject(Topics.CONNECTIVITY);
        REGISTRY.resetSubject(connectivitySubject);
        ConfluentRegistryClient client = REGISTRY.client();
        client.setCompatibility(connectivitySubject, "NONE");
        Schema reordered = new Schema.Parser().parse(org.turnoutstream.schemas.ConnectivityEvent.getClassSchema().toString()
                .replace("[\"HEARTBEAT\",\"LINK_DOWN\",\"LINK_UP\",\"OPENED\",\"CLOSED\"]", "[\"CLOSED\",\"OPENED\",\"LINK_UP\",\"LINK_DOWN\",\"HEARTBEAT\"]")
                .replace("[\"FIBER\",\"DSL\",\"MOBILE\",\"SATELLITE\"]", "[\"SATELLITE\",\"MOBILE\",\"DSL\",\"FIBER\"]"));
        assertEquals(List.of("CLOSED", "OPENED", "LINK_UP", "LINK_DOWN", "HEARTBEAT"), reordered.getField("kind").schema().getEnumSymbols());
        client.register(connectivitySubject, reordered);
        ConfluentAvroDecoder<org.turnoutstream.schemas.ConnectivityEvent> decoder =
                ConfluentAvroDecoder.forConnectivityEvents(REGISTRY.config());
        Schema linkType = reordered.getField("link").schema().getTypes().get(1);
        for (String kind : List.of("HEARTBEAT", "LINK_DOWN", "CLOSED")) {
            for (String link : List.of("FIBER", "SATELLITE")) {
                GenericRecord written = new GenericData.Record(reordered);
                written.put("election", "2024-majlis-r1");
                written.put("branchId", "karaj-0017");
                written.put("constituencyId", "karaj");
                written.put("eventTime", ElectionDayFixtures.RUN_OFF_POLLS_OPEN.toEpochMilli());
                written.put("kind", new GenericData.EnumSymbol(reordered.getField("kind").schema(), kind));
                written.put("link", new GenericData.EnumSymbol(linkType, link));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new ConfluentSchemaCoder(client, connectivitySubject).writeSchema(reordered, out);
                BinaryEncoder body = EncoderFactory.get().binaryEncoder(out, null);
                new GenericDatumWriter<GenericRecord>(reordered).write(written, body);
                body.flush();
                org.turnoutstream.schemas.ConnectivityEvent decoded = decoder.decode(out.toByteArray());
                assertEquals(kind, decoded.getKind().name());
                assertEquals(link, decoded.getLink().name());
                assertEquals("karaj-0017", decoded.getBranchId());
            }
        }
        REGISTRY.resetSubject(connectivitySubject);
    }

    @Test
    void incompatibleChangeIsRejectedAtRegistration() {
        ConfluentRegistryClient client = REGISTRY.client();
        client.setCompatibility(SUBJECT, "BACKWARD");
        client.register(SUBJECT, TurnoutReport.getClassSchema());
        String v1 = TurnoutReport.getClassSchema().toString();
        Schema requiredField = new Schema.Parser().parse(v1.substring(0, v1.lastIndexOf(']'))
                + ",{\"name\":\"pollingStation\",\"type\":\"string\"}]}");
        assertThrows(IncompatibleSchemaException.class, () -> client.register(SUBJECT, requiredField));
    }
}
