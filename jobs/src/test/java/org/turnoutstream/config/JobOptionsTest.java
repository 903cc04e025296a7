package org.turnoutstream.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
    @Command(name = "live")
    static class Live {
        @Mixin JobOptions options;
    }

    @TempDir Path dir;

    JobOptions parse(Map<String, String> environment, String... args) {
        Live live = new Live();
        new CommandLine(live).setDefaultValueProvider(TurnoutDefaults.forArgs(args, environment)).parseArgs(args);
        return live.options;
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
        CommandLine.TypeConversionException bad = assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("ten"));
        assertTrue(bad.getMessage().contains("'ten' is not a duration"));
    }

    @Test
    void theStartUpReportMasksEverySecret() {
        Live live = new Live();
        CommandLine cli = new CommandLine(live);
        cli.parseArgs("--influx-password", "hunter2", "--registry-password", "s3cret",
                "--kafka-property", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password=\"p4ss\";",
                "--kafka-property", "security.protocol=SASL_SSL");
        List<String> report = OptionsReport.describe(cli.getCommandSpec());
        String all = String.join("\n", report);
        assertFalse(all.contains("hunter2"), all);
        assertFalse(all.contains("s3cret"), all);
        assertFalse(all.contains("p4ss"), all);
        assertTrue(all.contains("security.protocol=SASL_SSL"), all);
        assertTrue(all.contains("--influx-password = " + OptionsReport.MASK), all);
    }
}
