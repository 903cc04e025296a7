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
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.local.InfluxDb;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.io.IOException;
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
 * Issue 15, InfluxDB: the live job against an influxd that demands credentials ({@code auth-enabled = true}), as a
 * non-admin user with rights on the job's database only, its password read from a file (as a mounted secret); a wrong
 * password stops the job before it starts, in one line that does not show the password.
 */
class SecuredInfluxDbJobTest {
    static final String PASSWORD = "w-S3cret!pass 1";   // a space and punctuation: read from the file as it is
    static final String DATABASE = "turnout_secured";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir static Path work;
    static InfluxDb influx;
    static Path passwordFile;
    static final String TURNOUT = "branch.turnout.secured", CONNECTIVITY = "branch.connectivity.secured";

    @BeforeAll
    static void anInfluxDbWithAuthenticationAndAWriterForTheJobsDatabaseOnly() throws Exception {
        influx = InfluxDb.start(work.resolve("influxd"), 0, true);
        InfluxReader admin = influx.reader();
        admin.createDatabase(DATABASE);
        admin.createDatabase("elsewhere");
        admin.execute("CREATE USER turnout_job WITH PASSWORD " + InfluxReader.literal(PASSWORD));
        admin.execute("GRANT ALL ON " + InfluxReader.identifier(DATABASE) + " TO turnout_job");
        passwordFile = work.resolve("influx-password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        AlertScenario.writeReferenceData(work.resolve("reference"));
        kafka.createTopic(TURNOUT, 2);
        kafka.createTopic(CONNECTIVITY, 1);
        kafka.createTopic("branch.alerts.secured", 1);
        kafka.createTopic("turnout.dlq.secured", 1);
        ConfluentAvroEncoder<TurnoutReport> reports = ConfluentAvroEncoder.forTopic(registry.config(), TURNOUT, TurnoutReport.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(TURNOUT, null, epoch(at(1, 0)), "alb-karaj-0001".getBytes(StandardCharsets.UTF_8),
                    reports.encode(AlertScenario.report("alb-karaj-0001", "karaj", 1, 40, at(1, 0)))));
            producer.send(new ProducerRecord<>(TURNOUT, null, epoch(at(2, 0)), "alb-karaj-0002".getBytes(StandardCharsets.UTF_8),
                    reports.encode(AlertScenario.report("alb-karaj-0002", "karaj", 1, 25, at(2, 0)))));
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        if (influx != null) influx.close();
    }

    static JobOptions options(String... credentials) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--turnout-topic", TURNOUT,
                "--connectivity-topic", CONNECTIVITY, "--alerts-topic", "branch.alerts.secured", "--dlq-topic", "turnout.dlq.secured",
                "--transactional-id-prefix", "secured-" + System.nanoTime(), "--group-id", "secured-" + System.nanoTime(),
                "--starting-offsets", "earliest", "--registry-url", registry.url(), "--influx-url", influx.url(),
                "--influx-database", DATABASE, "--election", ELECTION + "=" + work.resolve("reference"), "--bounded",
                "--quiet-feed-after", "0", "--max-clock-skew", "0", "--checkpoint-interval", "1s", "--parallelism", "2"));
        args.addAll(List.of(credentials));
        return JobOptions.of(args.toArray(new String[0]));
    }

    @Test
    void theJobWritesAsItsOwnUserWithThePasswordFromAFile() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--influx-user", "turnout_job", "--influx-password-file", passwordFile.toString()));
        env.execute("secured-influx");

        List<Map<String, Object>> karaj = InfluxDbExtension.query(influx, DATABASE,
                "SELECT ballots FROM constituency_turnout WHERE election = '" + ELECTION + "' AND constituency = 'karaj' ORDER BY time DESC LIMIT 1");
        assertEquals(65L, ((Number) karaj.get(0).get("ballots")).longValue(), "both reports counted: " + karaj);
        // the user has rights on the job's database only
        InfluxReader asTheJob = new InfluxReader(influx.url(), "turnout_job", PASSWORD);
        assertThrows(InfluxReader.CredentialsRefused.class, () -> asTheJob.query("elsewhere", "SELECT * FROM constituency_turnout"));
    }

    @Test
    void aWrongPasswordStopsTheJobBeforeItStartsInOneLineWithoutThePassword() throws IOException {
        Path wrong = work.resolve("wrong-password");
        Files.writeString(wrong, "not-the-password-42\n");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LiveTurnoutJob.define(env, options("--influx-user", "turnout_job", "--influx-password-file", wrong.toString())));
        assertTrue(refused.getMessage().startsWith("InfluxDB at " + influx.url() + " refused the credentials (HTTP 401) for user 'turnout_job'"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("not-the-password-42"), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> options("--influx-password", "x",
                "--influx-password-file", passwordFile.toString()).influxPassword());
        assertEquals("--influx-password and --influx-password-file both given: give one", both.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> options(
                "--influx-password-file", work.resolve("no-such-file").toString()).influxPassword());
        assertTrue(missing.getMessage().startsWith("--influx-password-file " + work.resolve("no-such-file") + " cannot be read"), missing.getMessage());
    }
}
