package org.turnoutstream.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobOptionsTest {
    @TempDir Path dir;

    JobOptions parse(Map<String, String> environment, String... args) {
        return JobOptions.parse(args, environment);
    }

    @Test
    void builtInDefaultsSuitALocalStack() {
        JobOptions options = parse(Map.of());
        assertEquals("localhost:9092", options.bootstrapServers);
        assertEquals("turnout", options.influxDatabase);
        assertEquals(Duration.ofSeconds(10), options.gridInterval);
        assertEquals(Duration.ofMinutes(10), options.correctionHorizon);
        assertEquals("branch.turnout", options.turnoutTopic);
        assertEquals("turnout.dlq", options.deadLetterTopic);
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheConfigFileWhichBeatsTheDefault() throws Exception {
        Path config = Files.writeString(dir.resolve("turnout.properties"),
                "influx-url=http://from-file:8086\ninflux-database=from_file\ngrid-interval=30s\n");
        Map<String, String> environment = Map.of("TURNOUT_INFLUX_DATABASE", "from_env", "TURNOUT_GRID_INTERVAL", "1m");
        JobOptions options = parse(environment, "--config", config.toString(), "--grid-interval", "5s");
        assertEquals("http://from-file:8086", options.influxUrl);
        assertEquals("from_env", options.influxDatabase);
        assertEquals(Duration.ofSeconds(5), options.gridInterval);

        JobOptions viaEnvironmentConfig = parse(Map.of(TurnoutDefaults.CONFIG_ENV, config.toString()));
        assertEquals("from_file", viaEnvironmentConfig.influxDatabase);
    }

    @Test
    void resumingTheLatestCheckpointOnAClusterIsOptInByFlagOrEnvironment() {
        assertFalse(parse(Map.of()).resumeLatestCheckpoint);
        assertTrue(parse(Map.of(), "--resume-latest-checkpoint").resumeLatestCheckpoint);
        assertEquals("TURNOUT_RESUME_LATEST_CHECKPOINT", TurnoutDefaults.environmentName("--resume-latest-checkpoint"));
        assertTrue(parse(Map.of("TURNOUT_RESUME_LATEST_CHECKPOINT", "true")).resumeLatestCheckpoint);
        assertFalse(parse(Map.of("TURNOUT_RESUME_LATEST_CHECKPOINT", "false")).resumeLatestCheckpoint);
    }

    @Test
    void durationsReadTheWayOperatorsWriteThem() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofMinutes(10), DurationConverter.parse("10m"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("PT10S"));
        assertEquals(Duration.ZERO, DurationConverter.parse("0"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("ten"));
        assertTrue(bad.getMessage().contains("'ten' is not a duration"));
    }

    @Test
    void theJobsParserNamesTheOptionItCannotRead() {
        assertEquals("Unknown option: '--grid'", assertThrows(OptionsException.class, () -> parse(Map.of(), "--grid", "5s")).getMessage());
        assertEquals("Invalid value for option '--grid-interval': 'ten' is not a duration (examples: 500ms, 10s, 5m, 1h, PT10S)",
                assertThrows(OptionsException.class, () -> parse(Map.of(), "--grid-interval", "ten")).getMessage());
        assertEquals("Missing value for option '--election' (ID=DIR)", assertThrows(OptionsException.class, () -> parse(Map.of(), "--election")).getMessage());
    }

    @Test
    void repeatedOptionsAddUpAndElectionsSplitAtCommas() {
        JobOptions options = parse(Map.of(), "--election", "a=dir/a,b=dir/b", "--election=c=dir/c",
                "--polls-close", "a=2024-03-01T18:00:00+03:30", "--heartbeat-timeout-for", "SATELLITE=3m", "--starting-offsets", "LATEST", "--bounded");
        assertEquals(List.of("a=dir/a", "b=dir/b", "c=dir/c"), options.elections);
        assertEquals(Map.of("a", "2024-03-01T18:00:00+03:30"), options.pollsClose);
        assertEquals(Map.of("SATELLITE", "3m"), options.heartbeatTimeoutPerLink);
        assertEquals(JobOptions.StartingOffsets.latest, options.startingOffsets);
        assertTrue(options.bounded);
    }

    @Test
    void theStartUpReportMasksEverySecret() {
        JobOptions options = JobOptions.of("--influx-password", "hunter2", "--registry-password", "s3cret",
                "--kafka-property", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password=\"p4ss\";",
                "--kafka-property", "security.protocol=SASL_SSL",
                // Kafka's other passwords, whatever their names (its ConfigDef says which): an mTLS key in PEM, a passphrase
                "--kafka-property", "ssl.keystore.key=-----BEGIN PRIVATE KEY-----pem-key-body",
                "--kafka-property", "sasl.oauthbearer.assertion.private.key.passphrase=phr4se",
                "--kafka-property", "ssl.truststore.certificates=the-ca-pem");
        List<String> report = OptionsReport.describe(options);
        String all = String.join("\n", report);
        assertFalse(all.contains("pem-key-body") || all.contains("phr4se"), all);
        assertFalse(all.contains("the-ca-pem"), "ssl.truststore.certificates is a PASSWORD-type setting of Kafka's: " + all);
        assertFalse(all.contains("hunter2"), all);
        assertFalse(all.contains("s3cret"), all);
        assertFalse(all.contains("p4ss"), all);
        assertTrue(all.contains("security.protocol=SASL_SSL"), all);
        assertTrue(all.contains("--influx-password = " + OptionsReport.MASK), all);
    }
}
