package org.turnoutstream.events;
import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.Subjects;
import org.turnoutstream.registry.RegistryConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDay;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import org.apache.flink.util.InstantiationUtil;

class ConfluentAvroRoundTripTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @Test
    void turnoutReportSurvivesKafkaAndTheRegistry() throws Exception {
        KAFKA.createTopic(Topics.TURNOUT, 3);
        // both travel to TaskManagers in a real job, so the test ships them the same way
        ConfluentAvroEncoder<TurnoutReport> encoder = InstantiationUtil.clone(
                ConfluentAvroEncoder.forTopic(REGISTRY.config(), Topics.TURNOUT, TurnoutReport.class));
        ConfluentAvroDecoder<TurnoutReport> decoder = InstantiationUtil.clone(
                ConfluentAvroDecoder.forTurnoutReports(REGISTRY.config()));

        TurnoutReport report = ElectionDay.turnout();
        byte[] value = encoder.encode(report);
        assertEquals(ConfluentSchemaCoder.MAGIC_BYTE, value[0]);
        KAFKA.produce(Topics.TURNOUT, ElectionDay.BRANCH.getBytes(StandardCharsets.UTF_8), value);

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consumeAll(Topics.TURNOUT, true, Duration.ofMillis(200));
        ConsumerRecord<byte[], byte[]> mine = records.stream()
                .filter(r -> java.util.Arrays.equals(r.value(), value))
                .findFirst().orElseThrow();
        assertEquals(ElectionDay.BRANCH, new String(mine.key(), StandardCharsets.UTF_8));
        assertEquals(report, decoder.decode(mine.value()));

        int id = java.nio.ByteBuffer.wrap(value, 1, 4).getInt();
        assertEquals(java.util.Optional.of(id),
                REGISTRY.client().lookup(Subjects.valueSubject(Topics.TURNOUT), TurnoutReport.getClassSchema()));
    }

    @Test
    void connectivityEventRoundTrip() throws Exception {
        String topic = "roundtrip.branch.connectivity";
        KAFKA.createTopic(topic, 1);
        ConfluentAvroEncoder<ConnectivityEvent> encoder = ConfluentAvroEncoder.forTopic(REGISTRY.config(), topic, ConnectivityEvent.class);
        ConnectivityEvent event = ElectionDay.linkDown();
        KAFKA.produce(topic, null, encoder.encode(event));

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consumeAll(topic, false, Duration.ofMillis(200));
        assertEquals(1, records.size());
        assertEquals(event, ConfluentAvroDecoder.forConnectivityEvents(REGISTRY.config()).decode(records.get(0).value()));
    }

    @Test
    void interoperatesWithFlinkRegistryAvroSchemas() throws Exception {
        String topic = "roundtrip.flink.branch.turnout";
        ConfluentSchemaCoder.Provider provider = ConfluentSchemaCoder.provider(REGISTRY.config(), Subjects.valueSubject(topic));
        RegistryAvroSerializationSchema<TurnoutReport> flinkWriter = InstantiationUtil.clone(
                RegistryAvroSerializationSchema.forSpecific(TurnoutReport.class, provider));
        RegistryAvroDeserializationSchema<TurnoutReport> flinkReader = InstantiationUtil.clone(
                new RegistryAvroDeserializationSchema<>(TurnoutReport.class, null, provider));
        TurnoutReport report = ElectionDay.turnout("karaj-0018", 7, 1_093, ElectionDayFixtures.RUN_OFF_POLLS_OPEN.plusSeconds(3 * 3600));

        byte[] fromFlink = flinkWriter.serialize(report);
        assertEquals(report, ConfluentAvroDecoder.forTurnoutReports(REGISTRY.config()).decode(fromFlink));

        byte[] fromUs = ConfluentAvroEncoder.forTopic(REGISTRY.config(), topic, TurnoutReport.class).encode(report);
        assertEquals(report, flinkReader.deserialize(fromUs));
    }
}
