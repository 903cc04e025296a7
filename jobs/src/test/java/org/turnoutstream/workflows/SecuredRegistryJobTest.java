package org.turnoutstream.workflows;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.BasicAuthProxy;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.AlertScenario.ELECTION;
import static org.turnoutstream.workflows.AlertScenario.at;
import static org.turnoutstream.workflows.AlertScenario.epoch;

/**
 * Issue 15, the registry: behind HTTP basic auth (an authenticating reverse proxy, {@link BasicAuthProxy}: Apicurio 2.6
 * checks Basic credentials only through an OIDC server). Records are produced through it with credentials; the live job
 * reads their schemas through it as its own user, the password from a file; a wrong or missing password stops the job
 * before it starts, in one line, instead of failing every decode and restarting.
 */
class SecuredRegistryJobTest {
    static final String USER = "turnout_job", PASSWORD = "r3gistry-Pass";
    static final String TURNOUT = "branch.turnout.secreg", CONNECTIVITY = "branch.connectivity.secreg";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir static Path work;
    static BasicAuthProxy proxy;
    static String securedUrl, database;
    static Path passwordFile;

    @BeforeAll
    static void aRegistryThatDemandsCredentials() throws Exception {
        proxy = BasicAuthProxy.start(registry.url(), USER, PASSWORD);
        securedUrl = proxy.url(registry.url());
        passwordFile = work.resolve("registry-password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        database = influx.createDatabase("secreg");
        AlertScenario.writeReferenceData(work.resolve("reference"));
        for (String topic : List.of(TURNOUT, CONNECTIVITY, "branch.alerts.secreg", "turnout.dlq.secreg")) kafka.createTopic(topic, 1);
        ConfluentAvroEncoder<TurnoutReport> reports = ConfluentAvroEncoder.forTopic(RegistryConfig.of(securedUrl).withCredentials(USER, PASSWORD),
                TURNOUT, TurnoutReport.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(TURNOUT, null, epoch(at(1, 0)), "alb-karaj-0001".getBytes(StandardCharsets.UTF_8),
                    reports.encode(AlertScenario.report("alb-karaj-0001", "karaj", 1, 30, at(1, 0)))));
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
    }

    static JobOptions options(String... credentials) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", TURNOUT,
                "--connectivity-topic", CONNECTIVITY, "--alerts-topic", "branch.alerts.secreg", "--dlq-topic", "turnout.dlq.secreg",
                "--transactional-id-prefix", "secreg-" + System.nanoTime(), "--group-id", "secreg-" + System.nanoTime(),
                "--starting-offsets", "earliest", "--registry-url", securedUrl, "--influx-url", influx.url(), "--influx-database", database,
                "--election", ELECTION + "=" + work.resolve("reference"), "--bounded", "--quiet-feed-after", "0", "--max-clock-skew", "0",
                "--checkpoint-interval", "1s", "--parallelism", "2"));
        args.addAll(List.of(credentials));
        return JobOptions.of(args.toArray(new String[0]));
    }

    @Test
    void theJobReadsTheSchemasThroughTheProxyWithItsPasswordFromAFile() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--registry-user", USER, "--registry-password-file", passwordFile.toString()));
        env.execute("secured-registry");
        List<Map<String, Object>> karaj = influx.query(database,
                "SELECT ballots FROM constituency_turnout WHERE election = '" + ELECTION + "' AND constituency = 'karaj' ORDER BY time DESC LIMIT 1");
        assertEquals(30L, ((Number) karaj.get(0).get("ballots")).longValue(), "the report was decoded: " + karaj);
        assertEquals(0, kafka.consumeAll("turnout.dlq.secreg", false, java.time.Duration.ofSeconds(1)).size(), "no dead letter");
    }

    @Test
    void aWrongOrMissingPasswordStopsTheJobBeforeItStartsInOneLine() {
        long before = proxy.refused();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> LiveTurnoutJob.define(env, options("--registry-user", USER, "--registry-password", "not-it-77")));
        assertEquals("schema registry at " + securedUrl + " refused the credentials of user 'turnout_job' (HTTP 401): check --registry-user"
                + " and --registry-password(-file)", wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-it-77"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.define(env, options()));
        assertTrue(none.getMessage().startsWith("schema registry at " + securedUrl + " refused the credentials of (no user) (HTTP 401)"),
                none.getMessage());
        assertEquals(2, proxy.refused() - before, "one request each: no retries");
    }
}
