package org.turnoutstream.workflows;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.archive.ArchiveSink;
import org.turnoutstream.archive.ToArchivedRecord;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.config.DurationConverter;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.KafkaCredentials;
import org.turnoutstream.config.RegistryCredentials;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.QuietFeedWatermarks;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RawRecordDeserializer;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.functions.ConnectivityThresholds;
import org.turnoutstream.functions.HeartbeatTimeouts;
import org.turnoutstream.functions.IntegrityRules;
import org.turnoutstream.functions.PollingHours;
import org.turnoutstream.recovery.PublishedHistory;
import org.turnoutstream.recovery.RetainedRecords;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ArchivedRecord;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.sinks.AlertSerializer;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.sinks.InfluxDbSink;
import org.turnoutstream.points.InfluxPoint;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The live turnout job: the turnout workflow and the outage/alert workflow with their real edges (Kafka in:
 * turnout and connectivity topics; out: InfluxDB, the DLQ topic and, exactly once, the alerts topic).
 */
public final class LiveTurnoutJob {
    public static final String NAME = "turnout-live";
    private static final Logger LOG = LoggerFactory.getLogger(LiveTurnoutJob.class);

    private LiveTurnoutJob() {}

    public static void define(StreamExecutionEnvironment env, JobOptions options) {
        if (options.parallelism != null) env.setParallelism(options.parallelism);
        if (!options.checkpointInterval.isZero()) env.enableCheckpointing(options.checkpointInterval.toMillis());

        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections));
        ParticipationSettings participation = Baselines.of(options, catalog); // a bad baseline stops the job here
        RegistryConfig registry = RegistryConfig.of(options.registryUrl).withCredentials(options.registryUser, options.registryPassword());
        RegistryCredentials.check(registry); // refused credentials stop the job here, in one line
        KafkaCredentials.check(options); // a refused password stops the job here, in one line

        Start start = start(options);
        DataStream<RawRecord> turnoutRecords = env
                .fromSource(source(options, options.turnoutTopic, start.offsets()), kafkaWatermarks(options), "kafka: " + options.turnoutTopic)
                .uid("turnout-source");

        DataStream<RawRecord> connectivityRecords = env
                .fromSource(source(options, options.connectivityTopic, start.offsets()), kafkaWatermarks(options), "kafka: " + options.connectivityTopic)
                .uid("connectivity-source");

        if (options.archiveDir != null) archive(turnoutRecords, connectivityRecords, options, registry);
        TurnoutSettings settings = settings(options).withPublishedUpTo(start.published(), start.recountsTheDay()).withParticipation(participation);
        workflows(turnoutRecords, connectivityRecords, catalog, registry, options, settings,
                new Sinks(pointSink(options), deadLetterSink(options, "turnout"), deadLetterSink(options, "connectivity"),
                        alertSink(options, registry)));
    }

    /**
     * How a job starts when it restores no state: where its sources start, and what InfluxDB already holds (per election,
     * the last published instant), which the recount must not lower.
     */
    record Start(JobOptions.StartingOffsets offsets, Map<String, Long> published, boolean recountsTheDay) {}

    /**
     * Where the sources start when the job restores no state (a restored job continues from its checkpoint's offsets
     * whatever this says): --starting-offsets, except that {@code committed} becomes {@code earliest} when InfluxDB
     * already holds points (or cannot be asked): the group's committed offsets are where a previous run's checkpoint
     * got to, and counting from there without that run's state would publish partial sums over the day's history for
     * good. The recount from the earliest offsets ends with the same points as an uninterrupted run (while Kafka still
     * holds the day), and writes the instants InfluxDB holds only once final ({@code ElectionTally}), so no published
     * number goes down on the way. (A job restored from its checkpoint has the tally's state and holds nothing back.)
     */
    static Start start(JobOptions options) {
        InfluxReader influx = new InfluxReader(options.influxUrl, options.influxUser, options.influxPassword());
        Map<String, Long> published;
        try {
            published = PublishedHistory.lastInstants(influx, options.influxDatabase);
        } catch (InfluxReader.CredentialsRefused e) {
            // a wrong user or password would fail every write too: say so now, once, instead of starting a job that cannot write
            throw new IllegalArgumentException(e.getMessage() + " for user " + (options.influxUser == null ? "(none)" : "'" + options.influxUser + "'")
                    + " reading database " + options.influxDatabase + ": check --influx-user and --influx-password(-file); the user needs"
                    + " read and write rights on it");
        } catch (IOException e) {
            if (options.startingOffsets != JobOptions.StartingOffsets.committed) return new Start(options.startingOffsets, Map.of(), false);
            LOG.warn("cannot read what InfluxDB holds ({}): without restored state the job recounts from the earliest offsets", e.getMessage());
            return new Start(JobOptions.StartingOffsets.earliest, Map.of(), false);
        }
        if (published.isEmpty()) return new Start(options.startingOffsets, published, false);
        JobOptions.StartingOffsets offsets = options.startingOffsets;
        if (offsets == JobOptions.StartingOffsets.committed) {
            LOG.info("InfluxDB already holds points of {}: without restored state the job recounts from the earliest offsets, not the "
                    + "group's committed ones (a job restored from a checkpoint continues from its own offsets)", published.keySet());
            offsets = JobOptions.StartingOffsets.earliest;
        }
        return new Start(offsets, published, offsets == JobOptions.StartingOffsets.earliest && kafkaHoldsTheDay(options, influx));
    }

    /**
     * Whether the turnout topic still holds every record since the first point InfluxDB holds of each election: then a
     * recount from its earliest offsets is complete. When it cannot be told, no (InfluxDB keeps what it holds).
     */
    private static boolean kafkaHoldsTheDay(JobOptions options, InfluxReader influx) {
        try {
            long completeFrom = RetainedRecords.completeFrom(options.kafkaClientProperties(), options.bootstrapServers, options.turnoutTopic);
            if (completeFrom == Long.MIN_VALUE) return true;
            Map<String, Long> first = PublishedHistory.firstInstants(influx, options.influxDatabase);
            for (Map.Entry<String, Long> e : first.entrySet()) {
                if (completeFrom > e.getValue()) {
                    LOG.warn("Kafka no longer holds all of {}: its records before {} may be gone, but election {} has points from {}",
                            options.turnoutTopic, java.time.Instant.ofEpochMilli(completeFrom), e.getKey(), java.time.Instant.ofEpochMilli(e.getValue()));
                    return false;
                }
            }
            return true;
        } catch (RuntimeException | IOException e) {
            LOG.warn("cannot tell whether Kafka still holds the whole day of {} ({}): the points InfluxDB holds are kept as they are",
                    options.turnoutTopic, e.getMessage());
            return false;
        }
    }

    /** Where the workflows write: InfluxDB points, the dead letters of each topic, the alerts. */
    public record Sinks(Sink<InfluxPoint> points, Sink<DeadLetter> turnoutDeadLetters, Sink<DeadLetter> connectivityDeadLetters,
                        Sink<BranchAlert> alerts) {}

    /**
     * The turnout and the outage workflows, wired one way for the live job and for its replays: only the
     * records coming in and the sinks differ. The settings come from the same options.
     */
    public static TurnoutWorkflow.Outputs workflows(DataStream<RawRecord> turnoutRecords, DataStream<RawRecord> connectivityRecords,
                                                    ElectionCatalog catalog, RegistryConfig registry, JobOptions options, Sinks sinks) {
        return workflows(turnoutRecords, connectivityRecords, catalog, registry, options,
                settings(options).withParticipation(Baselines.of(options, catalog)), sinks);
    }

    /** As above, with the turnout settings given (the live job's know what InfluxDB held when it started). */
    static TurnoutWorkflow.Outputs workflows(DataStream<RawRecord> turnoutRecords, DataStream<RawRecord> connectivityRecords,
                                             ElectionCatalog catalog, RegistryConfig registry, JobOptions options, TurnoutSettings settings,
                                             Sinks sinks) {
        configureRuntime(turnoutRecords.getExecutionEnvironment());
        return BranchWork.define(turnoutRecords, connectivityRecords, catalog, ConfluentAvroDecoder.forTurnoutReports(registry),
                ConfluentAvroDecoder.forConnectivityEvents(registry), settings, connectivitySettings(options, settings),
                sinks.points(), sinks.turnoutDeadLetters(), sinks.connectivityDeadLetters(), sinks.alerts());
    }

    /** How often watermarks are emitted, and the longest a record or watermark waits in a network buffer. */
    static final Duration WATERMARK_INTERVAL = Duration.ofMillis(100);
    static final Duration BUFFER_TIMEOUT = Duration.ofMillis(25);

    /**
     * The runtime settings every run of the workflows shares (live, replays, bench, tests), in one place:
     * <ul>
     *   <li>{@code pipeline.generic-types: false}: no type on the job's data path (records between operators, state) may
     *       fall back to Kryo. Every one has a Flink serializer (POJOs, Avro records, {@code InfluxPoint}'s own); a type
     *       that would not is refused when the job is built or its state is first used, not quietly slow.</li>
     *   <li>Object reuse: chained operators hand each record on without a copy. No function keeps or changes a record it
     *       was given (those that buffer copy what they need into their state; keyed functions behind a shuffle get
     *       freshly deserialized records).</li>
     *   <li>Watermarks every 100 ms and network buffers flushed after 25 ms at most: a point is published well within
     *       half a second of its instant closing (a watermark crosses several network hops on its way to the InfluxDB
     *       sink); at high rates the buffers fill before that.</li>
     * </ul>
     */
    public static void configureRuntime(StreamExecutionEnvironment env) {
        Configuration noGenericTypes = new Configuration();
        noGenericTypes.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(noGenericTypes);
        env.getConfig().enableObjectReuse();
        env.getConfig().setAutoWatermarkInterval(WATERMARK_INTERVAL.toMillis());
        env.setBufferTimeout(BUFFER_TIMEOUT.toMillis());
    }

    /**
     * The audit archive (--archive-dir): every raw record of both topics, as received, to Avro files bucketed by
     * election and hour, exactly once. Forward-connected to the sources, so each file keeps each partition in
     * offset order. Files are finished by checkpoints, hence checkpointing is required.
     */
    static void archive(DataStream<RawRecord> turnoutRecords, DataStream<RawRecord> connectivityRecords, JobOptions options,
                        RegistryConfig registry) {
        if (options.checkpointInterval.isZero()) {
            throw new IllegalArgumentException("--archive-dir needs checkpointing: archive files are only finished when a checkpoint "
                    + "completes (set --checkpoint-interval above 0)");
        }
        Map<String, ConfluentAvroDecoder<? extends SpecificRecord>> decoders = new HashMap<>();
        decoders.put(options.turnoutTopic, ConfluentAvroDecoder.forTurnoutReports(registry));
        decoders.put(options.connectivityTopic, ConfluentAvroDecoder.forConnectivityEvents(registry));
        turnoutRecords.union(connectivityRecords)
                .map(new ToArchivedRecord(decoders)).returns(new AvroTypeInfo<>(ArchivedRecord.class))
                .name("archive records").uid("archive-records")
                .sinkTo(ArchiveSink.create(options.archiveDir)).name("archive: " + options.archiveDir).uid("archive-sink");
        LOG.info("archiving every raw record of {} and {} under {}", options.turnoutTopic, options.connectivityTopic, options.archiveDir);
    }

    /**
     * Event time at the sources: when the centre heard each record (its Kafka timestamp), one watermark per
     * partition. The outage path runs on it; the turnout count assigns the branches' own clocks later.
     */
    public static WatermarkStrategy<RawRecord> sourceWatermarks(TurnoutSettings settings) {
        return QuietFeedWatermarks.forRecords(settings.maxOutOfOrderness(), settings.quietFeedAfter());
    }

    /** The alignment group of the Kafka sources: every partition of both topics, across subtasks. */
    public static final String ALIGNMENT_GROUP = "turnout-feeds";
    /** How often the sources agree on the slowest watermark (Flink's default); a paused partition waits at most this long. */
    static final Duration ALIGNMENT_INTERVAL = Duration.ofSeconds(1);

    /**
     * {@link #sourceWatermarks} for Kafka sources; in a bounded run (a replay, the bench) aligned
     * ({@code --max-watermark-drift}): a partition whose watermark is more than the drift ahead of the slowest partition
     * of either topic pauses until that one catches up. Without it a replay reads some partitions minutes (in event
     * time) ahead of others (a partition of reports covers more of the day per megabyte than one of heartbeats), and
     * every branch buffers the signals of those minutes until the watermark passes them: in a heap dump of the bench,
     * 45,000 branches held 33 to 64 signals each (109 MB). Pausing a partition changes only when its records are read,
     * never what is counted: a record is late only against its own partition's watermark ({@link QuietFeedWatermarks},
     * whose quiet-feed clock stops while a partition is paused). Flink 2.2 lets a paused partition resume only at the
     * next announcement, so a backlog is read at most drift/interval times real speed (300 by default); a 1-minute
     * drift announced every 100 ms paused and resumed the partitions so often that the bench read 21,000 events/s.
     *
     * <p>Never in an unbounded (live) run: there a quiet partition's watermark moves at wall-clock speed (the quiet
     * feed), and a partition catching up on a backlog more than the drift ahead of it would be held to that speed.
     * (Seen in the demo, whose feed runs at 900 times real speed: its last reports stayed unread.)
     */
    public static WatermarkStrategy<RawRecord> kafkaWatermarks(JobOptions options) {
        WatermarkStrategy<RawRecord> watermarks = sourceWatermarks(settings(options));
        if (!options.bounded || options.maxWatermarkDrift.isZero()) return watermarks;
        return watermarks.withWatermarkAlignment(ALIGNMENT_GROUP, options.maxWatermarkDrift, ALIGNMENT_INTERVAL);
    }

    public static ConnectivitySettings connectivitySettings(JobOptions options, TurnoutSettings turnout) {
        return ConnectivitySettings.defaults(turnout)
                .withTimeouts(heartbeatTimeouts(options))
                .withThresholds(new ConnectivityThresholds(options.degradedShare, options.degradedShare, options.degradedMinBranches))
                .withRules(new IntegrityRules(options.maxBallotsPerMinute, IntegrityRules.DEFAULT_BURST_ALLOWANCE,
                        IntegrityRules.DEFAULT_CLOSED_RETENTION, turnout.correctionHorizon()))
                .withFeedSilentAfter(options.bounded ? Duration.ZERO : options.feedSilentAfter)
                .withHours(pollingHours(options));
    }

    /**
     * --polls-close ELECTION=TIME (repeatable) and --polls-close-grace; an election neither given with --election nor named as
     * a --baseline is an error (and so for --polls-open).
     */
    static PollingHours pollingHours(JobOptions options) {
        Map<String, java.time.Instant> close = new java.util.TreeMap<>();
        java.util.Set<String> elections = new java.util.TreeSet<>(ElectionCatalog.parseSpecs(options.elections).keySet());
        elections.addAll(Baselines.sourceElections(options));
        for (String election : options.pollsOpen.keySet()) {
            if (!elections.contains(election)) {
                throw new IllegalArgumentException("--polls-open " + election + "=...: no such election (--election and --baseline give " + elections + ")");
            }
        }
        for (Map.Entry<String, String> entry : options.pollsClose.entrySet()) {
            if (!elections.contains(entry.getKey())) {
                throw new IllegalArgumentException("--polls-close " + entry.getKey() + "=...: no such election (--election and --baseline give " + elections + ")");
            }
            close.put(entry.getKey(), PollingHours.parseTime("--polls-close", entry.getKey(), entry.getValue()));
        }
        return PollingHours.of(close, options.pollsCloseGrace);
    }

    /** --heartbeat-timeout for every link, overridden per link type by --heartbeat-timeout-for LINK=DURATION. */
    static HeartbeatTimeouts heartbeatTimeouts(JobOptions options) {
        HeartbeatTimeouts timeouts = HeartbeatTimeouts.of(options.heartbeatTimeout);
        for (Map.Entry<String, String> entry : options.heartbeatTimeoutPerLink.entrySet()) {
            LinkType link;
            try {
                link = LinkType.valueOf(entry.getKey().trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--heartbeat-timeout-for: unknown link type '" + entry.getKey()
                        + "' (one of " + java.util.Arrays.toString(LinkType.values()) + ")");
            }
            timeouts = timeouts.with(link, DurationConverter.parse(entry.getValue()));
        }
        return timeouts;
    }

    /** The broker's default transaction.max.timeout.ms: a longer transaction timeout is refused. */
    static final Duration BROKER_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /**
     * Alerts to the alerts topic exactly once: Kafka transactions committed with Flink's checkpoints (a
     * read_committed consumer sees each alert once, and only after the checkpoint that covers it). Needs
     * checkpointing; the transaction timeout must outlast a checkpoint interval and stay below the broker's maximum.
     */
    public static KafkaSink<BranchAlert> alertSink(JobOptions options, RegistryConfig registry) {
        return alertSink(options, registry, options.alertsTopic, options.transactionalIdPrefix);
    }

    /** The alerts sink to another topic (a replay's), with its own transactional id prefix. */
    public static KafkaSink<BranchAlert> alertSink(JobOptions options, RegistryConfig registry, String topic, String transactionalIdPrefix) {
        return KafkaSink.<BranchAlert>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setKafkaProducerConfig(transactionalProducer(options))
                .setRecordSerializer(new AlertSerializer(topic, registry))
                .setDeliveryGuarantee(alertDeliveryGuarantee(options))
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    /**
     * The producer properties of the transactional sinks (alerts, dead letters): the client's, with --transaction-timeout,
     * checked against the broker's default maximum.
     */
    static Properties transactionalProducer(JobOptions options) {
        Duration timeout = options.transactionTimeout;
        if (timeout.compareTo(BROKER_MAX_TRANSACTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("--transaction-timeout " + timeout + " is above the broker's default maximum of "
                    + BROKER_MAX_TRANSACTION_TIMEOUT + " (transaction.max.timeout.ms)");
        }
        Properties producer = options.kafkaClientProperties();
        producer.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(timeout.toMillis()));
        return producer;
    }

    /**
     * EXACTLY_ONCE commits with checkpoints, so without checkpointing (--checkpoint-interval 0) a read_committed
     * consumer would never see an alert or a dead letter: then they are written at least once (alert ids are
     * deterministic, and a dead letter names its source topic, partition and offset, so consumers can deduplicate).
     */
    public static DeliveryGuarantee alertDeliveryGuarantee(JobOptions options) {
        if (options.checkpointInterval.isZero()) {
            LOG.warn("checkpointing is off: alerts and dead letters are written at least once, not exactly once");
            return DeliveryGuarantee.AT_LEAST_ONCE;
        }
        return DeliveryGuarantee.EXACTLY_ONCE;
    }

    public static TurnoutSettings settings(JobOptions options) {
        return new TurnoutSettings(options.gridInterval, options.correctionHorizon, options.maxOutOfOrderness,
                options.quietFeedAfter, options.maxClockSkew, options.maxBranchBallots);
    }

    public static InfluxDbSink pointSink(JobOptions options) {
        return InfluxDbSink.builder()
                .url(options.influxUrl)
                .username(options.influxUser)
                .password(options.influxPassword())
                .database(options.influxDatabase)
                .batchSize(options.influxBatchSize)
                .flushInterval(options.influxFlushInterval)
                .build();
    }

    public static KafkaSource<RawRecord> turnoutSource(JobOptions options) {
        return source(options, options.turnoutTopic);
    }

    /** The connectivity topic, with the same group, starting offsets and boundedness as the turnout topic. */
    public static KafkaSource<RawRecord> connectivitySource(JobOptions options) {
        return source(options, options.connectivityTopic);
    }

    static KafkaSource<RawRecord> source(JobOptions options, String topic) {
        return source(options, topic, options.startingOffsets);
    }

    static KafkaSource<RawRecord> source(JobOptions options, String topic, JobOptions.StartingOffsets start) {
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topic)
                .setGroupId(options.groupId)
                .setDeserializer(new RawRecordDeserializer())
                .setStartingOffsets(switch (start) {
                    case earliest -> OffsetsInitializer.earliest();
                    case latest -> OffsetsInitializer.latest();
                    case committed -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                })
                .setProperties(options.kafkaClientProperties());
        if (options.bounded) builder.setBounded(OffsetsInitializer.latest());
        return builder.build();
    }

    /** {@link #deadLetterSink(JobOptions, String, String, String)} to --dlq-topic with --transactional-id-prefix. */
    public static KafkaSink<DeadLetter> deadLetterSink(JobOptions options, String input) {
        return deadLetterSink(options, options.deadLetterTopic, options.transactionalIdPrefix, input);
    }

    /**
     * Dead letters of one input ({@code input}: "turnout" or "connectivity") to {@code topic}, exactly once like the
     * alerts: in Kafka transactions committed with Flink's checkpoints (transactional ids
     * {@code <transactionalIdPrefix>-dead-letters-<input>}: one per sink), so a restart from a checkpoint does not write a dead
     * letter twice, and a read_committed consumer sees each bad record once, after the checkpoint that covers it. Without
     * checkpointing, at least once (see {@link #alertDeliveryGuarantee}).
     */
    public static KafkaSink<DeadLetter> deadLetterSink(JobOptions options, String topic, String transactionalIdPrefix, String input) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setKafkaProducerConfig(transactionalProducer(options))
                .setRecordSerializer(new DeadLetterSerializer(topic, options.deadLetterMaxBytes))
                .setDeliveryGuarantee(alertDeliveryGuarantee(options))
                .setTransactionalIdPrefix(transactionalIdPrefix + "-dead-letters-" + input)
                .build();
    }
}
