package org.turnoutstream.workflows;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.logging.log4j.Level;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.CapturedLog;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.PortForwarder;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;

/**
 * The schema registry is unreachable when the live job starts reading a morning of reports, and answers again 40 seconds
 * later: the decoders retry for their budget (30 s), the job fails, restarts and waits again, and once the registry is
 * back every report counts. An unreachable registry is not a bad record: the DLQ holds only the one record that really
 * is bad, and the points are exact. The log says it in two lines (gone, back), not in a line per try, subtask or restart.
 */
class RegistryOutageJobTest {
    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path work;

    @Test
    void aRegistryOutageDelaysTheCountButLosesNothingAndDeadLettersNothing() throws Exception {
        String turnout = "branch.turnout.registry-outage", dlq = "turnout.dlq.registry-outage";
        kafka.createTopic(turnout, 2);
        kafka.createTopic(dlq, 1);
        kafka.createTopic("branch.connectivity.registry-outage", 1);
        kafka.createTopic("branch.alerts.registry-outage", 1);
        String database = influx.createDatabase("registry_outage");
        ElectionDayScenario.writeReferenceData(work.resolve("reference"));
        ElectionDayScenario morning = new ElectionDayScenario(23, 6);
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(registry.config(), turnout, TurnoutReport.class);
        long heard = ElectionDayFixtures.POLLS_OPEN.toEpochMilli();
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (TurnoutReport r : morning.sent) {
                heard = Math.max(heard, r.getEventTime().toEpochMilli());
                producer.send(new ProducerRecord<>(turnout, null, heard, r.getBranchId().getBytes(StandardCharsets.UTF_8), encoder.encode(r)));
            }
            producer.send(new ProducerRecord<>(turnout, null, heard, "bad".getBytes(StandardCharsets.UTF_8), new byte[]{1, 0, 0, 0, 1, 2, 3}));
            producer.flush();
        }

        int port = FreePorts.pick(); // the job's registry URL: nothing behind it yet
        JobOptions options = JobOptions.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", turnout, "--dlq-topic", dlq,
                "--connectivity-topic", "branch.connectivity.registry-outage", "--alerts-topic", "branch.alerts.registry-outage",
                "--starting-offsets", "earliest", "--group-id", "registry-outage", "--transactional-id-prefix", "registry-outage-" + System.nanoTime(),
                "--registry-url", "http://127.0.0.1:" + port + "/apis/ccompat/v7", "--influx-url", influx.url(), "--influx-database", database,
                "--election", ELECTION + "=" + work.resolve("reference"), "--correction-horizon", "1h", "--quiet-feed-after", "1s",
                "--max-out-of-orderness", "1s", "--max-clock-skew", "0", "--feed-silent-after", "0", "--checkpoint-interval", "1s",
                "--parallelism", "2");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options);
        String registryUrl = "schema registry http://127.0.0.1:" + port + "/apis/ccompat/v7";
        CapturedLog log = CapturedLog.of(""); // everything an operator reads, from the start of the job
        JobClient job = env.executeAsync("registry-outage");
        try {
            Thread.sleep(40_000); // the scenario: 40 s of a morning without the registry, then nothing may have been counted
            assertEquals(Map.of(), nationalBallots(database), "nothing counted while the registry is away");
            try (PortForwarder back = new PortForwarder(port, URI.create(registry.url()).getPort())) {
                long last = ClusterMorning.instantFor(morning.lastEventTime());
                long truth = ClusterMorning.nationTruth(morning, last);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                        .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                        .until(() -> nationalBallots(database).getOrDefault(last, -1L) == truth);
                for (Map.Entry<Long, Long> point : nationalBallots(database).entrySet()) {
                    assertEquals(ClusterMorning.nationTruth(morning, point.getKey()), point.getValue(), "nation at " + java.time.Instant.ofEpochMilli(point.getKey()));
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .ignoreExceptionsInstanceOf(RuntimeException.class) // not there yet
                        .until(() -> !kafka.consumeAll(dlq, true, Duration.ofMillis(500)).isEmpty());
                List<ConsumerRecord<byte[], byte[]>> dead = kafka.consumeAll(dlq, true, Duration.ofSeconds(1));
                assertEquals(List.of("bad " + RejectionReason.BAD_MAGIC_BYTE), dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8) + " "
                                + new String(r.headers().lastHeader(DeadLetterSerializer.REASON).value(), StandardCharsets.UTF_8)).collect(Collectors.toList()),
                        "only the bad record is a dead letter: an unreachable registry is not a bad record");
            }
            List<String> warnings = log.warningsAndErrors();
            assertEquals(1, log.messages(Level.WARN).stream().filter(m -> m.startsWith(registryUrl + " unreachable (")).count(),
                    "one line when the registry goes, whatever the subtasks, tries and restarts: " + warnings);
            assertEquals(1, log.messages(Level.INFO).stream().filter(m -> m.startsWith(registryUrl + " reachable again after ")).count(),
                    "one line when it is back");
            assertTrue(warnings.size() < 20, "a few warnings, not a storm: " + warnings.size() + " " + warnings);
        } finally {
            log.close();
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /** The national series, empty while there is none yet. */
    static TreeMap<Long, Long> nationalBallots(String database) {
        try {
            return ClusterMorning.nationalBallots(influx, database);
        } catch (RuntimeException noSeriesYet) {
            return new TreeMap<>();
        }
    }
}
