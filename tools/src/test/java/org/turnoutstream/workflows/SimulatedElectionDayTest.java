package org.turnoutstream.workflows;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.cli.TurnoutCli;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.simulator.FaultKind;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded simulated election day with every fault kind switched on (duplicates, reordering, late
 * reports, malformed records, branch and whole-constituency outages) goes through Kafka and the live
 * job; the totals in InfluxDB at polls close equal the simulator's own ground truth, the outages the job
 * detects are the simulator's planned ones, and a second run over the same records (another parallelism)
 * raises exactly the same alerts.
 */
class SimulatedElectionDayTest {
    static final String ELECTION = "2024-sim-r1";
    /** Longer than the simulator's latest report (15 min late): every report counts at its own time, so the point at close is final. */
    static final String HORIZON = "30m";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path work;

    @Test
    void theJobsTotalsAtPollsCloseEqualTheSimulatorsGroundTruth() throws Exception {
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(80).withConstituencies(6).withProvinces(2).withEligibleVoters(80_000L).validate());
        Path reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);
        String turnoutTopic = "sim-e2e.branch.turnout";
        String connectivityTopic = "sim-e2e.branch.connectivity";
        String deadLetterTopic = "sim-e2e.turnout.dlq";
        kafka.createTopic(turnoutTopic, 3);
        kafka.createTopic(connectivityTopic, 3);
        kafka.createTopic(deadLetterTopic, 1);
        String alertsTopic = "sim-e2e.branch.alerts";
        kafka.createTopic(alertsTopic, 2);
        String database = influx.createDatabase("simulated");

        Path truthFile = work.resolve("truth.json");
        String[] simulate = {"simulate", "--election", ELECTION + "=" + reference,
                "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--turnout-topic", turnoutTopic, "--connectivity-topic", connectivityTopic,
                "--polls-open", "08:00", "--polls-close", "10:00", "--max", "--seed", "2024",
                "--duplicate-rate", "0.05", "--reorder-rate", "0.05", "--late-rate", "0.03", "--malformed-rate", "0.02",
                "--outage-rate", "0.25", "--region-outage-rate", "0.5", "--truth", truthFile.toString()};
        StringWriter out = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(simulate);
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute(simulate), out.toString());
        GroundTruth truth = GroundTruth.read(truthFile);
        for (String kind : List.of("DUPLICATE", "REORDERED", "LATE", "BRANCH_OUTAGE", "REGION_OUTAGE", "BAD_MAGIC_BYTE", "CORRUPT_AVRO")) {
            assertTrue(truth.faultsInjected().getOrDefault(kind, 0L) > 0, "the day has " + kind + " faults: " + truth.faultsInjected());
        }

        JobOptions options = JobOptions.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", turnoutTopic, "--dlq-topic", deadLetterTopic,
                "--connectivity-topic", connectivityTopic, "--alerts-topic", alertsTopic, "--transactional-id-prefix", "sim-e2e-alerts",
                "--group-id", "sim-e2e", "--starting-offsets", "earliest", "--bounded",
                "--registry-url", registry.url(), "--influx-url", influx.url(), "--influx-database", database,
                "--election", ELECTION + "=" + reference, "--max-clock-skew", "0", "--quiet-feed-after", "0", "--correction-horizon", HORIZON,
                "--checkpoint-interval", "2s", "--parallelism", "2");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options);
        env.execute("simulated-election-day");
        List<BranchAlert> alerts = alerts(alertsTopic);
        assertDetectedOutagesArePlannedOnes(truth, alerts);

        long close = Instant.parse(truth.pollsClose()).toEpochMilli();
        Map<String, long[]> atClose = new HashMap<>();
        for (Map<String, Object> row : influx.query(database, "SELECT ballots, branches_reporting, branches_total, eligible, constituency "
                + "FROM constituency_turnout WHERE election = '" + ELECTION + "' AND time = " + close + "ms")) {
            atClose.put((String) row.get("constituency"), new long[]{num(row, "ballots"), num(row, "branches_reporting"),
                    num(row, "branches_total"), num(row, "eligible")});
        }
        assertEquals(truth.constituencies().keySet(), atClose.keySet(), "a point at polls close for every constituency");
        truth.constituencies().forEach((id, expected) -> {
            long[] written = atClose.get(id);
            assertEquals(expected.ballots(), written[0], id + " ballots");
            assertEquals(expected.branchesReporting(), written[1], id + " branches reporting");
            assertEquals(expected.branchesTotal(), written[2], id + " branches total");
            assertEquals(expected.eligibleVoters(), written[3], id + " eligible");
        });
        Map<String, Object> nation = influx.query(database, "SELECT ballots, branches_reporting FROM national_turnout WHERE election = '"
                + ELECTION + "' AND time = " + close + "ms").get(0);
        assertEquals(truth.national().ballots(), num(nation, "ballots"), "national ballots");
        assertEquals(truth.national().branchesReporting(), num(nation, "branches_reporting"), "national branches reporting");

        long malformed = 0;
        for (FaultKind kind : FaultKind.MALFORMED) malformed += truth.faultsInjected().getOrDefault(kind.name(), 0L);
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consumeAll(deadLetterTopic, false, Duration.ofSeconds(1));
        Map<String, Long> connectivityRejections = new java.util.TreeMap<>();
        long fromTurnout = 0;
        for (ConsumerRecord<byte[], byte[]> letter : dead) {
            String source = new String(letter.headers().lastHeader(DeadLetterSerializer.SOURCE_TOPIC).value(), java.nio.charset.StandardCharsets.UTF_8);
            if (source.equals(turnoutTopic)) fromTurnout++;
            else connectivityRejections.merge(new String(letter.headers().lastHeader(DeadLetterSerializer.REASON).value(),
                    java.nio.charset.StandardCharsets.UTF_8) + " " + new String(letter.headers().lastHeader(DeadLetterSerializer.DETAIL).value(),
                    java.nio.charset.StandardCharsets.UTF_8), 1L, Long::sum);
        }
        assertEquals(malformed, fromTurnout, "every malformed record, and only those, in the DLQ");
        assertEquals(Map.of(), connectivityRejections, "the simulator's connectivity events are all valid");

        // a replay of the same records, at another parallelism: the same alerts, ids included
        String replayAlerts = "sim-e2e.branch.alerts.replay";
        kafka.createTopic(replayAlerts, 2);
        kafka.createTopic(deadLetterTopic + ".replay", 1);
        JobOptions replay = JobOptions.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", turnoutTopic, "--dlq-topic", deadLetterTopic + ".replay",
                "--connectivity-topic", connectivityTopic, "--alerts-topic", replayAlerts, "--transactional-id-prefix", "sim-e2e-replay",
                "--group-id", "sim-e2e-replay", "--starting-offsets", "earliest", "--bounded",
                "--registry-url", registry.url(), "--influx-url", influx.url(), "--influx-database", influx.createDatabase("replayed"),
                "--election", ELECTION + "=" + reference, "--max-clock-skew", "0", "--quiet-feed-after", "0", "--correction-horizon", HORIZON,
                "--checkpoint-interval", "2s", "--parallelism", "1");
        StreamExecutionEnvironment again = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(again, replay);
        again.execute("simulated-election-day-replay");
        assertEquals(byId(alerts), byId(alerts(replayAlerts)), "a replay raises the same alerts");
    }

    /**
     * Every planned outage (a branch's link, or its whole constituency cut off) is detected once: down since the
     * centre last heard from the branch (at most one heartbeat interval before the outage began; for an outage
     * shorter than the heartbeat timeout, the LINK_DOWN the branch delivers on recovery gives its start exactly),
     * up again when its LINK_UP is heard. No other branch goes dark, and every cut-off constituency is degraded.
     */
    static void assertDetectedOutagesArePlannedOnes(GroundTruth truth, List<BranchAlert> alerts) {
        long heartbeat = Duration.ofSeconds(10).toMillis(); // the simulator's default heartbeat interval
        Map<String, List<BranchAlert>> started = new TreeMap<>(), ended = new TreeMap<>();
        for (BranchAlert a : alerts) {
            if (a.getKind() == AlertKind.OUTAGE_STARTED) started.computeIfAbsent(a.getBranchId(), b -> new ArrayList<>()).add(a);
            if (a.getKind() == AlertKind.OUTAGE_ENDED) ended.computeIfAbsent(a.getBranchId(), b -> new ArrayList<>()).add(a);
        }
        Map<String, GroundTruth.Outage> planned = new TreeMap<>();
        for (GroundTruth.Outage o : truth.outages()) planned.put(o.branchId(), o);
        assertTrue(planned.size() >= 10, "the day has outages to detect: " + planned.size());
        assertEquals(planned.keySet(), started.keySet(), "the branches that went dark are the planned ones");
        for (GroundTruth.Outage o : planned.values()) {
            long start = Instant.parse(o.start()).toEpochMilli(), end = Instant.parse(o.end()).toEpochMilli();
            List<BranchAlert> down = started.get(o.branchId()), up = ended.getOrDefault(o.branchId(), List.of());
            assertEquals(1, down.size(), o + ": one outage, not " + down);
            long since = down.get(0).getStartedAt().toEpochMilli();
            assertTrue(since <= start && since >= start - heartbeat, o + ": down since " + Instant.ofEpochMilli(since));
            assertEquals(1, up.size(), o + ": it ends once: " + up);
            assertEquals(end, up.get(0).getEndedAt().toEpochMilli(), o + ": up again when its LINK_UP is heard");
        }
        Set<String> cutOff = new TreeSet<>(), degraded = new TreeSet<>();
        for (GroundTruth.Outage o : planned.values()) if (o.reason().equals("REGION")) cutOff.add(o.constituencyId());
        for (BranchAlert a : alerts) if (a.getKind() == AlertKind.CONSTITUENCY_DEGRADED) degraded.add(a.getConstituencyId());
        assertFalse(cutOff.isEmpty(), "a constituency was cut off");
        assertTrue(degraded.containsAll(cutOff), "every cut-off constituency is degraded: " + degraded + " vs " + cutOff);
    }

    List<BranchAlert> alerts(String topic) throws Exception {
        ConfluentAvroDecoder<BranchAlert> decoder = ConfluentAvroDecoder.forClass(registry.config(), BranchAlert.class);
        List<BranchAlert> alerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.consumeAll(topic, true, Duration.ofSeconds(1))) alerts.add(decoder.decode(record.value()));
        return alerts;
    }

    static Map<String, String> byId(List<BranchAlert> alerts) {
        Map<String, String> byId = new TreeMap<>();
        for (BranchAlert a : alerts) assertNull(byId.put(a.getAlertId(), a.toString()), "alert id " + a.getAlertId() + " once");
        return byId;
    }

    static long num(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }
}
