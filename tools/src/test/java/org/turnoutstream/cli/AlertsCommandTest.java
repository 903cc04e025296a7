package org.turnoutstream.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.functions.Alerts;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import picocli.CommandLine;

class AlertsCommandTest {
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    static final String TOPIC = "alerts-tail-test-" + System.nanoTime();
    static final long T0 = Instant.parse("2024-03-01T06:14:20Z").toEpochMilli();

    static final BranchAlert OUTAGE = Alerts.branch("e1", AlertKind.OUTAGE_STARTED, "KRJ-017", "KARAJ", AlertReason.HEARTBEAT_TIMEOUT,
            T0, null, "no heartbeat for 60 s");
    static final BranchAlert OUTAGE_ENDED = Alerts.branch("e1", AlertKind.OUTAGE_ENDED, "KRJ-017", "KARAJ", AlertReason.HEARTBEAT,
            T0, T0 + 200_000, "heard again");
    static final BranchAlert OTHER_ELECTION = Alerts.constituency("e2", AlertKind.CONSTITUENCY_DEGRADED, "TEHRAN", AlertReason.SHARE_DOWN,
            T0, null, "40% of branches down");
    static final BranchAlert ABORTED = Alerts.constituency("e1", AlertKind.CONSTITUENCY_DEGRADED, "ABORTED-C", AlertReason.SHARE_DOWN,
            T0, null, "from an aborted transaction");
    static final BranchAlert DEGRADED = Alerts.constituency("e1", AlertKind.CONSTITUENCY_DEGRADED, "KARAJ", AlertReason.SHARE_DOWN,
            T0 + 60_000, null, "3 of 10 branches down");

    static ConfluentAvroEncoder<BranchAlert> encoder;

    String topic = TOPIC;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeAll
    static void produce() throws Exception {
        KAFKA.createTopic(TOPIC, 1);
        encoder = ConfluentAvroEncoder.forTopic(REGISTRY.config(), TOPIC, BranchAlert.class);
        KAFKA.produce(TOPIC, key(OUTAGE), encoder.encode(OUTAGE));
        KAFKA.produce(TOPIC, key(OTHER_ELECTION), encoder.encode(OTHER_ELECTION));
        try (KafkaProducer<byte[], byte[]> tx = transactional("alerts-tail-test-tx")) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(TOPIC, key(ABORTED), encoder.encode(ABORTED))).get(30, TimeUnit.SECONDS);
            tx.abortTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(TOPIC, key(DEGRADED), encoder.encode(DEGRADED))).get(30, TimeUnit.SECONDS);
            tx.send(new ProducerRecord<>(TOPIC, key(OUTAGE_ENDED), encoder.encode(OUTAGE_ENDED))).get(30, TimeUnit.SECONDS);
            tx.commitTransaction();
        }
    }

    static byte[] key(BranchAlert alert) {
        return alert.getAlertId().getBytes(StandardCharsets.UTF_8);
    }

    static KafkaProducer<byte[], byte[]> transactional(String id) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        return new KafkaProducer<>(props);
    }

    int run(String... args) {
        String[] all = new String[args.length + 10];
        String[] common = {"alerts", "tail", "--bootstrap-servers", KAFKA.bootstrapServers(), "--registry-url", REGISTRY.url(),
            "--alerts-topic", topic, "--timezone", "UTC"};
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        CommandLine cli = TurnoutCli.commandLine(all);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(all);
    }

    List<String> lines() {
        return out.toString().lines().toList();
    }

    @Test
    void printsCommittedAlertsOfTheElectionFromTheBeginning() {
        assertEquals(0, run("--from-beginning", "--max", "3", "--timeout", "20s", "--election", "e1", "--color", "never"), err.toString());
        List<String> lines = lines();
        assertEquals(List.of(
                "2024-03-01 06:14:20  OUTAGE_STARTED          e1  branch KRJ-017 (KARAJ)  HEARTBEAT_TIMEOUT  since 06:14:20  no heartbeat for 60 s",
                "2024-03-01 06:15:20  CONSTITUENCY_DEGRADED   e1  constituency KARAJ  SHARE_DOWN  since 06:15:20  3 of 10 branches down",
                "2024-03-01 06:17:40  OUTAGE_ENDED            e1  branch KRJ-017 (KARAJ)  HEARTBEAT  lasted 3m20s (since 06:14:20)  heard again"),
                lines, out.toString());
        assertFalse(out.toString().contains("ABORTED-C"), "read_committed: the aborted alert is not shown");
        assertTrue(err.toString().contains("tailing " + TOPIC), err.toString());
    }

    @Test
    void jsonAndKindFilter() throws Exception {
        assertEquals(0, run("--from-beginning", "--max", "1", "--timeout", "20s", "--json", "--kind", "OUTAGE_ENDED,FEED_SILENT"), err.toString());
        List<String> lines = lines();
        assertEquals(1, lines.size(), out.toString());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals(OUTAGE_ENDED.getAlertId(), json.get("alertId").asText());
        assertEquals("OUTAGE_ENDED", json.get("kind").asText());
        assertEquals("KRJ-017", json.get("branchId").asText());
        assertEquals("2024-03-01T06:14:20Z", json.get("startedAt").asText());
        assertEquals("2024-03-01T06:17:40Z", json.get("endedAt").asText());
    }

    @Test
    void timeoutBeforeMaxExitsOneWithWhatCame() {
        assertEquals(1, run("--from-beginning", "--max", "10", "--timeout", "3s", "--color", "never"));
        assertEquals(4, lines().size(), "all committed alerts, both elections: " + out);
        assertTrue(err.toString().contains("timed out after 3s with 4 of 10 alert(s)"), err.toString());
    }

    @Test
    void startsAtTheEndByDefault() throws Exception {
        topic = TOPIC + "-live";
        KAFKA.createTopic(topic, 2);
        KAFKA.produce(topic, key(OUTAGE), encoder.encode(OUTAGE)); // already there: not shown
        StringWriter started = err;
        CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> run("--max", "1", "--timeout", "30s", "--json"));
        await("the command tailing the topic").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> started.toString().contains("tailing"));
        assertTrue(started.toString().contains("new alerts only"), started.toString());
        BranchAlert fresh = Alerts.branch("e1", AlertKind.OUTAGE_STARTED, "KRJ-099", "KARAJ", AlertReason.LINK_DOWN, T0 + 600_000, null, "link down");
        KAFKA.produce(topic, key(fresh), encoder.encode(fresh));
        assertEquals(0, tail.get(40, TimeUnit.SECONDS), err.toString());
        assertEquals(1, lines().size(), out.toString());
        assertTrue(lines().get(0).contains("KRJ-099"), out.toString());
    }

    @Test
    void helpAndSubcommandRequired() {
        assertEquals(0, run("--help"));
        for (String option : new String[] {"--from-beginning", "--election", "--kind", "--json", "--max", "--timeout", "--alerts-topic"}) {
            assertTrue(out.toString().contains(option), option);
        }
        CommandLine cli = TurnoutCli.commandLine(new String[] {"alerts"});
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("alerts"));
        assertTrue(err.toString().contains("missing subcommand"), err.toString());
    }
}
