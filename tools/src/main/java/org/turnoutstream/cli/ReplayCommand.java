package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.audit.KafkaRange;
import org.turnoutstream.audit.ReplayInput;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.KafkaCredentials;
import org.turnoutstream.config.RegistryCredentials;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.sinks.AlertFileSink;
import org.turnoutstream.sinks.InfluxDbSink;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.sinks.TaggedPointSink;
import org.turnoutstream.workflows.LiveTurnoutJob;
import org.turnoutstream.workflows.ReplayJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/** `turnout replay`: the live workflows, bounded, over an exact Kafka range or the archive, into separate outputs. */
@Command(name = "replay", mixinStandardHelpOptions = true, modelTransformer = JobOptionsMixin.class, sortOptions = false,
        description = {"Replays a stretch of the input through the live job's workflows (same code, bounded sources) into the audit",
                "database (tag run=<id>), a replay alerts topic or file, and no DLQ unless --replay-dlq-topic. Input: --from/--to (resolved to",
                "offsets per partition before starting), --offsets, or --from-archive DIR with --from/--to. Writes a report (JSON) for `turnout audit`.",
                "Exit codes: 0 done, 1 the job failed, 2 bad arguments or refused (e.g. the live database as output)."})
public class ReplayCommand implements Callable<Integer> {
    static final String RUN_TAG = "run";

    /** The job's options, added to this command's by {@link JobOptionsMixin}. */
    final JobOptions options = new JobOptions();
    @Spec CommandSpec spec;

    @Option(names = "--from", paramLabel = "INSTANT", converter = InstantConverter.class,
            description = "Start of the range (Kafka record time, inclusive), e.g. 2024-03-01T04:30:00Z or 2024-03-01T08:00+03:30.")
    Instant from;

    @Option(names = "--to", paramLabel = "INSTANT", converter = InstantConverter.class, description = "End of the range (exclusive); default: now (Kafka) or everything (archive).")
    Instant to;

    @Option(names = "--offsets", paramLabel = "TOPIC:PARTITION:FROM-TO,...", description = "Exact offsets instead of --from/--to (TO exclusive); partitions not named are not read.")
    String offsets;

    @Option(names = "--from-archive", paramLabel = "URI", description = "Replay the archive (the live job's --archive-dir) instead of Kafka.")
    String archive;

    @Option(names = "--run-id", description = "Id of this replay (the run tag); default replay-<UTC time>-<random>.")
    String runId;

    @Option(names = "--audit-database", defaultValue = "turnout_audit", description = "InfluxDB database of the replay's points, created if missing (default: ${DEFAULT-VALUE}).")
    String auditDatabase;

    @Option(names = "--replay-alerts-topic", defaultValue = "branch.alerts.replay", description = "Topic of the replay's alerts (default: ${DEFAULT-VALUE}).")
    String replayAlertsTopic;

    @Option(names = "--alerts-file", paramLabel = "FILE", description = "Write the replay's alerts to this file (JSON lines, sorted) instead of a topic.")
    Path alertsFile;

    @Option(names = "--replay-dlq-topic", paramLabel = "TOPIC", description = "Dead letters of the replay to this topic; default: dropped (the live DLQ has them already).")
    String replayDlqTopic;

    @Option(names = "--rehearse", description = "Drill: write live-shaped outputs (--influx-database, --alerts-topic, --dlq-topic, no run tag) of a TEST environment.")
    boolean rehearse;

    @Option(names = "--speed", defaultValue = "0", description = "Replay at N times real speed (Kafka timestamps); 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--execution-mode", defaultValue = "streaming", description = "Flink runtime mode: streaming or batch (default: ${DEFAULT-VALUE}).")
    RuntimeExecutionMode executionMode;

    @Option(names = "--report", paramLabel = "FILE", description = "Where the replay report goes (default: replay-<run id>.json).")
    Path report;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String run = runId != null ? runId : "replay-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + Integer.toHexString(0x1000 + ThreadLocalRandom.current().nextInt(0xF000));
        ReplayInput input;
        String database;
        try {
            if (options.elections.isEmpty()) throw new IllegalArgumentException("no election given: pass --election ID=DIR");
            int inputs = (offsets != null ? 1 : 0) + (archive != null ? 1 : 0) + (offsets == null && archive == null && from != null ? 1 : 0);
            if (inputs != 1 || (offsets != null && (from != null || to != null || archive != null))) {
                throw new IllegalArgumentException("give one input: --from [--to] (Kafka, by time), --offsets, or --from-archive DIR [--from] [--to]");
            }
            if (speed < 0) throw new IllegalArgumentException("--speed must be 0 or more");
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("empty time range: --from " + from + " is not before --to " + to);
            }
            if (archive != null) requireArchive(archive);
            if (rehearse) {
                database = options.influxDatabase;
                err.println("REHEARSAL: writing live-shaped outputs (database " + database + ", alerts " + options.alertsTopic + ", DLQ "
                        + options.deadLetterTopic + ") of the environment at " + options.influxUrl + " / " + options.bootstrapServers);
            } else {
                database = auditDatabase;
                refuse(database.equals(options.influxDatabase), "--audit-database " + database + " is the live database (--influx-database)");
                refuse(alertsFile == null && replayAlertsTopic.equals(options.alertsTopic), "--replay-alerts-topic " + replayAlertsTopic + " is the live alerts topic");
                refuse(replayDlqTopic != null && replayDlqTopic.equals(options.deadLetterTopic), "--replay-dlq-topic " + replayDlqTopic + " is the live DLQ");
            }
            // credentials and the output database, once, before anything is read or written: a refusal is one line
            boolean usesKafka = archive == null || alertsFile == null || (rehearse ? options.deadLetterTopic != null : replayDlqTopic != null);
            if (usesKafka) KafkaCredentials.check(options);
            RegistryCredentials.check(RegistryConfig.of(options.registryUrl).withCredentials(options.registryUser, options.registryPassword()));
            new InfluxReader(options.influxUrl, options.influxUser, options.influxPassword()).ensureDatabase(database);
            Set<String> elections = ElectionCatalog.parseSpecs(options.elections).keySet();
            if (offsets != null) input = ReplayInput.kafka(KafkaRange.parseOffsets(offsets));
            else if (archive != null) input = ReplayInput.archive(archive, elections, from == null ? Instant.EPOCH : from,
                    to == null ? Instant.parse("2100-01-01T00:00:00Z") : to);
            else input = ReplayInput.kafka(KafkaRange.resolveByTime(ReplayInput.consumerProperties(options),
                    List.of(options.turnoutTopic, options.connectivityTopic), from, to == null ? Instant.now() : to));
        } catch (Exception e) {
            err.println("replay: " + e.getMessage());
            return 2;
        }
        out.println("replay " + run + ": " + input.describe());
        options.bounded = true;               // no wall-clock watchdog: a replay must be reproducible
        options.quietFeedAfter = Duration.ZERO; // event time moves with the records only
        if (executionMode == RuntimeExecutionMode.BATCH) options.checkpointInterval = Duration.ZERO; // no checkpoints in BATCH

        Instant started = Instant.now();
        long expected = input.expectedRecords(options.turnoutTopic) + input.expectedRecords(options.connectivityTopic);
        String failure = null;
        int alertsWritten = -1;
        try {
            RegistryConfig registry = RegistryConfig.of(options.registryUrl).withCredentials(options.registryUser, options.registryPassword());
            Sink<InfluxPoint> points = InfluxDbSink.builder().url(options.influxUrl).username(options.influxUser).password(options.influxPassword())
                    .database(database).batchSize(options.influxBatchSize).flushInterval(options.influxFlushInterval).build();
            if (!rehearse) points = new TaggedPointSink(points, RUN_TAG, run);
            Sink<BranchAlert> alerts = alertsFile != null ? new AlertFileSink(alertsFile)
                    : LiveTurnoutJob.alertSink(options, registry, rehearse ? options.alertsTopic : replayAlertsTopic,
                    options.transactionalIdPrefix + "-" + run);
            String dlqTopic = rehearse ? options.deadLetterTopic : replayDlqTopic;
            String transactions = options.transactionalIdPrefix + "-" + run;
            Sink<DeadLetter> turnoutDeadLetters = dlqTopic == null ? new DiscardingSink<>()
                    : LiveTurnoutJob.deadLetterSink(options, dlqTopic, transactions, "turnout");
            Sink<DeadLetter> connectivityDeadLetters = dlqTopic == null ? new DiscardingSink<>()
                    : LiveTurnoutJob.deadLetterSink(options, dlqTopic, transactions, "connectivity");

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setRuntimeMode(executionMode);
            ReplayJob.define(env, options, run, input.source(options.turnoutTopic, options, run), input.source(options.connectivityTopic, options, run),
                    new LiveTurnoutJob.Sinks(points, turnoutDeadLetters, connectivityDeadLetters, alerts), speed, input.originMillis());
            JobClient job = env.executeAsync(ReplayJob.NAME + " " + run);
            ProgressBar bar = noProgress ? null : new ProgressBar(err, System.console() != null, expected);
            while (!job.getJobExecutionResult().isDone()) {
                if (bar != null) bar.update(ReplayJob.recordsReplayed(run));
                Thread.sleep(500);
            }
            job.getJobExecutionResult().get();
            if (bar != null) bar.finish(ReplayJob.recordsReplayed(run));
            if (alertsFile != null) alertsWritten = AlertFileSink.merge(alertsFile);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
            failure = e.getMessage() + (cause != e ? " (cause: " + cause + ")" : "");
        }
        Path reportFile = report != null ? report : Paths.get("replay-" + run + ".json");
        try {
            writeReport(reportFile, run, input, database, started, expected, alertsWritten, failure);
        } catch (Exception e) {
            err.println("replay: cannot write the report " + reportFile + ": " + e.getMessage());
            return failure != null ? 1 : 2;
        }
        if (failure != null) {
            err.println("replay " + run + " FAILED: " + failure + "\nreport: " + reportFile);
            return 1;
        }
        out.printf(Locale.ROOT, "replay %s done: %,d records in %s; points in %s%s; report %s%n", run, ReplayJob.recordsReplayed(run),
                ProgressBar.clock(Duration.between(started, Instant.now()).toMillis() / 1000.0), database,
                rehearse ? "" : " (tag " + RUN_TAG + "=" + run + ")", reportFile);
        if (!rehearse) out.println("next: turnout audit --replay-report " + reportFile + " --election ...");
        return 0;
    }

    /** An archive base that does not exist is a typo, not an empty stretch: refuse it rather than replay nothing. */
    private static void requireArchive(String baseUri) throws IOException {
        org.apache.flink.core.fs.Path base = new org.apache.flink.core.fs.Path(baseUri);
        if (!base.getFileSystem().exists(base)) {
            throw new IllegalArgumentException("no archive at " + baseUri + ": --from-archive takes the live job's --archive-dir");
        }
    }

    private static void refuse(boolean condition, String why) {
        if (condition) throw new IllegalArgumentException("refused: " + why + "; a replay never writes into the live outputs (--rehearse is for test environments)");
    }

    private void writeReport(Path file, String run, ReplayInput input, String database, Instant started, long expected, int alertsWritten,
                             String failure) throws Exception {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("format", "turnout-replay-report/1");
        root.put("runId", run);
        root.put("status", failure == null ? "SUCCEEDED" : "FAILED");
        if (failure != null) root.put("failure", failure);
        root.put("startedAt", started.toString());
        root.put("finishedAt", Instant.now().toString());
        root.put("executionMode", executionMode.name());
        root.put("rehearsal", rehearse);
        root.put("speed", speed);
        ArrayNode elections = root.putArray("elections");
        options.elections.forEach(elections::add);
        root.set("input", input.toJson());
        root.put("recordsExpected", expected);
        root.put("recordsReplayed", ReplayJob.recordsReplayed(run));
        ObjectNode outputs = root.putObject("outputs");
        outputs.put("influxUrl", options.influxUrl);
        outputs.put("database", database);
        if (!rehearse) outputs.put("tag", RUN_TAG + "=" + run);
        if (alertsFile != null) outputs.put("alertsFile", alertsFile.toAbsolutePath().toString()).put("alertsWritten", alertsWritten);
        else outputs.put("alertsTopic", rehearse ? options.alertsTopic : replayAlertsTopic);
        outputs.put("deadLetters", rehearse ? options.deadLetterTopic : replayDlqTopic == null ? "dropped" : replayDlqTopic);
        ObjectNode settings = root.putObject("settings");
        settings.put("turnoutTopic", options.turnoutTopic).put("connectivityTopic", options.connectivityTopic)
                .put("gridInterval", options.gridInterval.toString()).put("correctionHorizon", options.correctionHorizon.toString())
                .put("maxOutOfOrderness", options.maxOutOfOrderness.toString()).put("maxClockSkew", options.maxClockSkew.toString())
                .put("maxBranchBallots", options.maxBranchBallots).put("watermarks", "ReplayJob.sourceWatermarks");
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    /** ISO-8601 instant (2024-03-01T04:30:00Z) or date-time with offset (2024-03-01T08:00+03:30). */
    static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (RuntimeException notAnInstant) {
                return OffsetDateTime.parse(value).toInstant();
            }
        }
    }
}
