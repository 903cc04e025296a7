package org.turnoutstream.workflows;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RawRecordDeserializer;
import org.turnoutstream.events.registry.ConfluentAvroDecoder;
import org.turnoutstream.events.registry.RegistryConfig;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.sinks.InfluxDbSink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The live turnout job: the workflow with its real edges (Kafka in, InfluxDB and the DLQ topic out). */
public final class LiveTurnoutJob {
    public static final String NAME = "turnout-live";

    private LiveTurnoutJob() {}

    public static void define(StreamExecutionEnvironment env, JobOptions options) {
        if (options.parallelism != null) env.setParallelism(options.parallelism);
        if (!options.checkpointInterval.isZero()) env.enableCheckpointing(options.checkpointInterval.toMillis());

        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections));
        TurnoutSettings settings = settings(options);
        RegistryConfig registry = RegistryConfig.of(options.registryUrl).withCredentials(options.registryUser, options.registryPassword);

        DataStream<RawRecord> turnoutRecords = env
                .fromSource(turnoutSource(options), WatermarkStrategy.noWatermarks(), "kafka: " + options.turnoutTopic)
                .uid("turnout-source");

        TurnoutWorkflow.define(turnoutRecords, catalog, ConfluentAvroDecoder.forTurnoutReports(registry), settings,
                pointSink(options), deadLetterSink(options));
    }

    public static TurnoutSettings settings(JobOptions options) {
        return new TurnoutSettings(options.gridInterval, options.correctionHorizon, options.maxOutOfOrderness,
                options.quietFeedAfter, options.maxClockSkew, options.maxBranchBallots);
    }

    public static InfluxDbSink pointSink(JobOptions options) {
        return InfluxDbSink.builder()
                .url(options.influxUrl)
                .username(options.influxUser)
                .password(options.influxPassword)
                .database(options.influxDatabase)
                .batchSize(options.influxBatchSize)
                .flushInterval(options.influxFlushInterval)
                .build();
    }

    public static KafkaSource<RawRecord> turnoutSource(JobOptions options) {
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(options.turnoutTopic)
                .setGroupId(options.groupId)
                .setDeserializer(new RawRecordDeserializer())
                .setStartingOffsets(switch (options.startingOffsets) {
                    case earliest -> OffsetsInitializer.earliest();
                    case latest -> OffsetsInitializer.latest();
                    case committed -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                })
                .setProperties(kafkaClientProperties(options));
        if (options.bounded) builder.setBounded(OffsetsInitializer.latest());
        return builder.build();
    }

    public static KafkaSink<DeadLetter> deadLetterSink(JobOptions options) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setKafkaProducerConfig(kafkaClientProperties(options))
                .setRecordSerializer(new DeadLetterSerializer(options.deadLetterTopic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Client properties from --kafka-properties FILE, overridden by --kafka-property KEY=VALUE. */
    public static Properties kafkaClientProperties(JobOptions options) {
        Properties properties = new Properties();
        if (options.kafkaPropertiesFile != null) {
            try (InputStream in = Files.newInputStream(options.kafkaPropertiesFile)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Kafka properties " + options.kafkaPropertiesFile, e);
            }
        }
        Map<String, String> extra = new LinkedHashMap<>(options.kafkaProperties);
        properties.putAll(extra);
        return properties;
    }
}
