package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.cli.TurnoutCli;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import picocli.CommandLine;

/** `turnout simulate` through a real broker and registry: what arrives decodes, and the truth file is right. */
class SimulatorKafkaTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    static final String TURNOUT = "sim.branch.turnout";
    static final String CONNECTIVITY = "sim.branch.connectivity";

    @Test
    void aShortDayThroughKafkaDecodesExceptTheMalformedRecords(@TempDir Path dir) throws Exception {
        Election election = SimulatorFixtures.smallElection(20, 3);
        Path reference = dir.resolve("ref");
        ReferenceGenerator.write(election, reference);
        KAFKA.createTopic(TURNOUT, 3);
        KAFKA.createTopic(CONNECTIVITY, 3);
        Path truthFile = dir.resolve("truth.json");
        String[] args = {"simulate", "--election", election.id() + "=" + reference,
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--registry-url", REGISTRY.url(),
                "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY,
                "--polls-open", "08:00", "--polls-close", "08:40", "--max", "--seed", "99",
                "--duplicate-rate", "0.05", "--reorder-rate", "0.05", "--late-rate", "0.05", "--malformed-rate", "0.1",
                "--outage-rate", "0.2", "--region-outage-rate", "0", "--truth", truthFile.toString()};
        StringWriter out = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute(args), out.toString());

        GroundTruth truth = GroundTruth.read(truthFile);
        List<ConsumerRecord<byte[], byte[]>> turnout = KAFKA.consumeAll(TURNOUT, true, Duration.ofMillis(500));
        List<ConsumerRecord<byte[], byte[]>> connectivity = KAFKA.consumeAll(CONNECTIVITY, true, Duration.ofMillis(500));
        assertEquals(truth.recordsSent(), turnout.size() + connectivity.size(), "every record arrived exactly once");

        ConfluentAvroDecoder<TurnoutReport> reports = ConfluentAvroDecoder.forTurnoutReports(REGISTRY.config());
        ConfluentAvroDecoder<ConnectivityEvent> events = ConfluentAvroDecoder.forConnectivityEvents(REGISTRY.config());
        for (ConsumerRecord<byte[], byte[]> r : connectivity) {
            ConnectivityEvent e = events.decode(r.value());
            assertEquals(e.getBranchId(), new String(r.key(), StandardCharsets.UTF_8));
        }
        long undecodable = 0, rejected = 0;
        List<byte[]> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : turnout) {
            values.add(r.value());
            TurnoutReport report;
            try {
                report = reports.decode(r.value());
            } catch (DecodeException e) {
                undecodable++;
                continue;
            }
            assertEquals(report.getBranchId(), new String(r.key(), StandardCharsets.UTF_8));
            if (!SimulatorFixtures.valid(election, report)) rejected++;
        }
        Map<String, Long> faults = truth.faultsInjected();
        assertEquals(faults.get("BAD_MAGIC_BYTE") + faults.get("CORRUPT_AVRO"), undecodable);
        assertEquals(faults.get("UNKNOWN_BRANCH") + faults.get("WRONG_CONSTITUENCY") + faults.get("NEGATIVE_COUNT"), rejected);

        long close = java.time.Instant.parse(truth.pollsClose()).toEpochMilli();
        Map<String, long[]> naive = SimulatorFixtures.naiveTruthAt(election, values, close);
        for (var c : election.constituencies()) {
            GroundTruth.Totals t = truth.constituencies().get(c.id());
            assertArrayEquals(naive.get(c.id()), new long[] {t.ballots(), t.branchesReporting()}, c.id());
        }
        assertTrue(out.toString().contains("sent "), out.toString());
        assertThrows(DecodeException.class, () -> reports.decode("{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
    }
}
