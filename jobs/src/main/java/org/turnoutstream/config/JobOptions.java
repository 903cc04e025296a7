package org.turnoutstream.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The live job's options, in one place. Each can be given as a flag, as an environment variable
 * (TURNOUT_ + the flag in upper snake case, e.g. TURNOUT_INFLUX_URL) or in a properties file given by
 * --config (key = the flag without dashes, e.g. influx-url=http://...).
 *
 * <p>Each option is a {@link JobOption} field, plain Java: the job jar's main reads them with {@link #parse} (no
 * picocli in the job jar); {@code turnout live}, {@code replay} and {@code audit} build their picocli options from the
 * same fields ({@code cli.JobOptionsMixin}).
 */
public class JobOptions {
    /**
     * The options from the arguments, then the {@code TURNOUT_*} variables of {@code environment}, then the
     * {@code --config FILE} (or {@code TURNOUT_CONFIG}) properties file, then the built-in defaults.
     *
     * @throws OptionsException when an argument or a value is wrong; its message says which
     */
    public static JobOptions parse(String[] args, Map<String, String> environment) {
        return OptionsParser.parse(new JobOptions(), args, environment);
    }

    /** The options from these arguments and the built-in defaults alone (no environment): for code and tests that set options. */
    public static JobOptions of(String... args) {
        return parse(args, Map.of());
    }

    @JobOption(name = "--config", paramLabel = "FILE", description = "Properties file with option values (key = option name without dashes). Env: TURNOUT_CONFIG.")
    public Path config;

    // Kafka
    @JobOption(name = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    public String bootstrapServers;

    @JobOption(name = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra Kafka client property for consumers and producers (SASL/TLS pass-through); repeatable. Secrets are masked in logs.")
    public Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @JobOption(name = "--kafka-properties", paramLabel = "FILE", description = "File of extra Kafka client properties.")
    public Path kafkaPropertiesFile;

    @JobOption(name = "--turnout-topic", defaultValue = "branch.turnout", description = "Topic of turnout reports (default: ${DEFAULT-VALUE}).")
    public String turnoutTopic;

    @JobOption(name = "--dlq-topic", defaultValue = "turnout.dlq", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    public String deadLetterTopic;

    @JobOption(name = "--dlq-max-bytes", defaultValue = "1000000", description = "Largest dead letter written whole (key, value and headers); a larger one keeps the value's first bytes, with its original size and SHA-256 in headers. Keep it below the producer's max.request.size and the DLQ topic's max.message.bytes (default: ${DEFAULT-VALUE}).")
    public int deadLetterMaxBytes;

    @JobOption(name = "--connectivity-topic", defaultValue = "branch.connectivity", description = "Topic of branch connectivity events (default: ${DEFAULT-VALUE}).")
    public String connectivityTopic;

    @JobOption(name = "--alerts-topic", defaultValue = "branch.alerts", description = "Topic the alerts are written to, exactly once (default: ${DEFAULT-VALUE}).")
    public String alertsTopic;

    @JobOption(name = "--transactional-id-prefix", defaultValue = "turnout-alerts", description = "Kafka transactional id prefix of the alerts sink; unique per job writing to the cluster (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    @JobOption(name = "--transaction-timeout", defaultValue = "10m", description = "Kafka transaction timeout of the alerts sink; must be below the broker's transaction.max.timeout.ms (15m by default) and above the checkpoint interval (default: ${DEFAULT-VALUE}).")
    public Duration transactionTimeout;

    @JobOption(name = "--group-id", defaultValue = "turnout-live", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @JobOption(name = "--starting-offsets", defaultValue = "committed", description = "Where a job without restored state starts: committed (the group's offsets, else earliest; earliest when InfluxDB already holds the elections' points, so a restart without state recounts instead of publishing partial sums), earliest or latest (default: ${DEFAULT-VALUE}).")
    public StartingOffsets startingOffsets;

    @JobOption(name = "--bounded", description = "Stop at the offsets that are latest when the job starts (a catch-up run) instead of running forever.")
    public boolean bounded;

    // Schema registry
    @JobOption(name = "--registry-url", defaultValue = "http://localhost:8081", description = "Confluent Schema Registry API base URL (default: ${DEFAULT-VALUE}).")
    public String registryUrl;

    @JobOption(name = "--registry-user", description = "Registry basic-auth user.")
    public String registryUser;

    @JobOption(name = "--registry-password", description = "Registry basic-auth password (visible in the process list: prefer --registry-password-file or TURNOUT_REGISTRY_PASSWORD).")
    public String registryPassword;

    @JobOption(name = "--registry-password-file", paramLabel = "FILE", description = "File holding the registry basic-auth password (its first line), e.g. a mounted secret.")
    public Path registryPasswordFile;

    // InfluxDB
    @JobOption(name = "--influx-url", defaultValue = "http://localhost:8086", description = "InfluxDB URL (default: ${DEFAULT-VALUE}).")
    public String influxUrl;

    @JobOption(name = "--influx-user", description = "InfluxDB user.")
    public String influxUser;

    @JobOption(name = "--influx-password", description = "InfluxDB password (visible in the process list: prefer --influx-password-file or TURNOUT_INFLUX_PASSWORD).")
    public String influxPassword;

    @JobOption(name = "--influx-password-file", paramLabel = "FILE", description = "File holding the InfluxDB password (its first line), e.g. a mounted secret.")
    public Path influxPasswordFile;

    @JobOption(name = "--influx-database", defaultValue = "turnout", description = "InfluxDB database (default: ${DEFAULT-VALUE}).")
    public String influxDatabase;

    @JobOption(name = "--influx-batch-size", defaultValue = "5000", description = "Points per InfluxDB write (default: ${DEFAULT-VALUE}).")
    public int influxBatchSize;

    @JobOption(name = "--influx-flush-interval", defaultValue = "100ms", description = "Longest a point waits in the batch (default: ${DEFAULT-VALUE}).")
    public Duration influxFlushInterval;

    // Reference data
    @JobOption(name = "--election", paramLabel = "ID=DIR", split = ",", description = "An election and its reference data directory (constituencies.csv, branches.csv); repeatable, e.g. 2024-majlis-r1=reference/alborz-synthetic.")
    public List<String> elections = new ArrayList<>();

    // Counting
    @JobOption(name = "--grid-interval", defaultValue = "10s", description = "Event-time grid of the points (default: ${DEFAULT-VALUE}).")
    public Duration gridInterval;

    @JobOption(name = "--correction-horizon", defaultValue = "10m", description = "How far back a late report rewrites points (default: ${DEFAULT-VALUE}).")
    public Duration correctionHorizon;

    @JobOption(name = "--max-out-of-orderness", defaultValue = "5s", description = "How far reports may arrive out of order before they count as late (default: ${DEFAULT-VALUE}).")
    public Duration maxOutOfOrderness;

    @JobOption(name = "--quiet-feed-after", defaultValue = "30s", description = "Wall-clock silence after which event time is taken to pass at wall-clock speed, so the last points are still written; 0 disables (default: ${DEFAULT-VALUE}).")
    public Duration quietFeedAfter;

    @JobOption(name = "--max-watermark-drift", defaultValue = "5m", description = "In --bounded runs (replays), how far (event time) one Kafka partition may read ahead of the slowest one, so each branch buffers at most this much of its signals while waiting for the watermark; 0 disables; live (unbounded) runs are never aligned (default: ${DEFAULT-VALUE}).")
    public Duration maxWatermarkDrift;

    @JobOption(name = "--feed-silent-after", defaultValue = "2m", description = "Wall-clock time without any event before FEED_SILENT is raised (cleared by FEED_RESUMED); 0 disables; off in --bounded runs (default: ${DEFAULT-VALUE}).")
    public Duration feedSilentAfter;

    @JobOption(name = "--max-branch-ballots", defaultValue = "1000000", description = "Counts above this at one branch are corrupt and go to the DLQ (default: ${DEFAULT-VALUE}).")
    public long maxBranchBallots;

    @JobOption(name = "--max-clock-skew", defaultValue = "2m", description = "A report or connectivity event dated further ahead of the time the centre heard it (its Kafka timestamp) comes from a wrong clock: it counts at its heard time and raises CLOCK_SKEW; 0: every record counts at its own time (default: ${DEFAULT-VALUE}).")
    public Duration maxClockSkew;

    // Outages and alerts
    @JobOption(name = "--heartbeat-timeout", defaultValue = "60s", description = "Silence after which an open branch counts as down (default: ${DEFAULT-VALUE}).")
    public Duration heartbeatTimeout;

    @JobOption(name = "--polls-close", paramLabel = "ELECTION=TIME", description = "When the polls close in an election, as an ISO-8601 time with its offset (e.g. 2024-03-01T18:00:00+03:30); repeatable. --polls-close-grace after it (voting hours are often extended) the branches still open are closed (their outages end with reason POLLS_CLOSED), the connectivity points stop and the election's per-branch state is dropped. Without it, a branch that never sends CLOSED keeps its state and its constituency writing points.")
    public Map<String, String> pollsClose = new LinkedHashMap<>();

    @JobOption(name = "--polls-close-grace", defaultValue = "2h", description = "How long after --polls-close the election is over for outages and alerts (default: ${DEFAULT-VALUE}).")
    public Duration pollsCloseGrace;

    @JobOption(name = "--polls-open", paramLabel = "ELECTION=TIME", description = "When the polls open in an election, as an ISO-8601 time with its offset (e.g. 2024-03-08T08:00:00+03:30); repeatable. Needed for an election compared with a baseline (--baseline) and for an election that is one.")
    public Map<String, String> pollsOpen = new LinkedHashMap<>();

    // Participation against a baseline (a run-off against its first round)
    @JobOption(name = "--baseline", paramLabel = "ELECTION=SOURCE", description = "Compare an election's turnout with a baseline at the same time since the polls opened (fields baseline_pct, vs_baseline_pts, projected_pct of its turnout points; PARTICIPATION_LAGGING alerts); repeatable. SOURCE: another election's id (its live constituency_turnout series in --influx-database, read when the job starts; ID@DATABASE or ID@DATABASE/RUN: its series in another database, e.g. a replay of its archive; give its --polls-open and --polls-close too) or a CSV file of published figures (constituency_id,polls_open,polls_close,HH:MM...,final; see docs/participation.md). The election needs --polls-open and --polls-close.")
    public Map<String, String> baselines = new LinkedHashMap<>();

    @JobOption(name = "--projection-after", defaultValue = "0.25", description = "Share of an election's polling day (0-1) before which no projected final turnout is written (default: ${DEFAULT-VALUE}).")
    public double projectionAfter;

    @JobOption(name = "--lagging-points", defaultValue = "5", description = "A constituency more than this many percentage points behind its baseline for --lagging-for raises PARTICIPATION_LAGGING (default: ${DEFAULT-VALUE}).")
    public double laggingPoints;

    @JobOption(name = "--lagging-for", defaultValue = "30m", description = "How long a constituency must stay behind its baseline by more than --lagging-points before PARTICIPATION_LAGGING (default: ${DEFAULT-VALUE}).")
    public Duration laggingFor;

    @JobOption(name = "--heartbeat-timeout-for", paramLabel = "LINK=DURATION", description = "Heartbeat timeout for one link type (FIBER, DSL, MOBILE, SATELLITE), e.g. SATELLITE=3m; repeatable.")
    public Map<String, String> heartbeatTimeoutPerLink = new LinkedHashMap<>();

    @JobOption(name = "--degraded-share", defaultValue = "0.3", description = "A constituency is degraded when more than this share of its open branches is down (default: ${DEFAULT-VALUE}).")
    public double degradedShare;

    @JobOption(name = "--degraded-min-branches", defaultValue = "3", description = "Constituencies with fewer open branches are never degraded (default: ${DEFAULT-VALUE}).")
    public int degradedMinBranches;

    @JobOption(name = "--max-ballots-per-minute", defaultValue = "10", description = "Faster growth of a branch's count between two reports is an IMPLAUSIBLE_RATE alert (default: ${DEFAULT-VALUE}).")
    public double maxBallotsPerMinute;

    // Audit archive
    @JobOption(name = "--archive-dir", paramLabel = "URI", description = "Archive every raw record of both input topics, exactly once, as Avro files under this directory (any Flink filesystem URI: file:///..., s3://...); needs checkpointing. Off when not set.")
    public String archiveDir;

    // Runtime
    @JobOption(name = "--checkpoint-interval", defaultValue = "10s", description = "Checkpoint interval; 0 disables checkpointing (default: ${DEFAULT-VALUE}).")
    public Duration checkpointInterval;

    @JobOption(name = "--parallelism", description = "Job parallelism (default: the cluster's, or the number of cores locally).")
    public Integer parallelism;

    // State (the embedded run; on a cluster its own configuration decides)
    @JobOption(name = "--state-dir", paramLabel = "PATH|URI", description = "Where the embedded run keeps its checkpoints (a local path or any Flink filesystem URI); retained when the job is cancelled or the process dies, and resumed from by the next start (default: .turnout/state/<group id>).")
    public String stateDir;

    @JobOption(name = "--no-resume", description = "Start without state even if the state directory holds checkpoints (they are moved aside, under superseded/).")
    public boolean noResume;

    @JobOption(name = "--from-savepoint", paramLabel = "PATH|URI", description = "Start from this savepoint or retained checkpoint (its directory) instead of the latest one in the state directory.")
    public String fromSavepoint;

    // The embedded run's REST API and web UI
    @JobOption(name = "--web-ui-bind", defaultValue = "127.0.0.1", description = "Address the embedded run's REST API and web UI listen on (default: ${DEFAULT-VALUE}: this machine only). Flink's REST API accepts job and jar submission without authentication: whoever can reach it can run code here; bind it wider only behind a firewall or an authenticating proxy. The rest of the embedded cluster listens on loopback only.")
    public String webUiBind;

    @JobOption(name = "--web-ui-port", defaultValue = "8081-8099", description = "Port of the embedded run's REST API and web UI: a port, a range (the first free one) or 0 for any (default: ${DEFAULT-VALUE}). The URL is logged when the job runs.")
    public String webUiPort;

    @JobOption(name = "--metrics-port", paramLabel = "PORT|RANGE", description = "Export the embedded run's metrics (Flink's and the job's own, see the README) for Prometheus at http://<--metrics-bind>:PORT/metrics: a port, a range (the first free one) or 0 for any. Off unless given. On a cluster, Flink's Prometheus reporter is configured in the cluster (docker/compose.yaml).")
    public String metricsPort;

    @JobOption(name = "--metrics-bind", defaultValue = "127.0.0.1", description = "Address the embedded run's metrics endpoint listens on (default: ${DEFAULT-VALUE}: this machine only; a Prometheus elsewhere needs it wider).")
    public String metricsBind;

    // State on a cluster (its configuration decides where checkpoints go)
    @JobOption(name = "--resume-latest-checkpoint", description = "On a cluster in application mode (one job per cluster, e.g. docker/compose.yaml's JobManager): when no restore path is given (execution.state-recovery.path, e.g. standalone-job --fromSavepoint), start from the latest completed checkpoint retained under the cluster's execution.checkpointing.dir (any job id), so that a JobManager restarted without HA keeps the job's state; checkpoints are then retained when the JobManager stops. Refused in session mode, where it would pick another job's checkpoint. The embedded run always resumes from its --state-dir.")
    public boolean resumeLatestCheckpoint;

    /** The state directory: {@link #stateDir}, or {@code .turnout/state/<group id>}. */
    public String effectiveStateDir() {
        return stateDir != null ? stateDir : Path.of(".turnout", "state", groupId).toString();
    }

    /** The InfluxDB password: --influx-password, or the first line of --influx-password-file; null when neither is given. */
    public String influxPassword() {
        return Secrets.inlineOrFile("--influx-password", influxPassword, influxPasswordFile);
    }

    /** The registry's basic-auth password: --registry-password, or the first line of --registry-password-file; null when neither. */
    public String registryPassword() {
        return Secrets.inlineOrFile("--registry-password", registryPassword, registryPasswordFile);
    }

    /** The Kafka clients' properties: {@link KafkaClientDefaults}, overridden by --kafka-properties FILE, overridden by --kafka-property KEY=VALUE. */
    public Properties kafkaClientProperties() {
        Properties properties = KafkaClientDefaults.properties();
        if (kafkaPropertiesFile != null) properties.putAll(KafkaPropertiesFile.read(kafkaPropertiesFile));
        properties.putAll(new LinkedHashMap<>(kafkaProperties));
        return properties;
    }

    public enum StartingOffsets { committed, earliest, latest }
}
