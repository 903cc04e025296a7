package org.turnoutstream.bench;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RawRecordDeserializer;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.workflows.LiveTurnoutJob;
import org.turnoutstream.workflows.TurnoutWorkflow;

/**
 * The two job graphs the benchmark runs over the same topics.
 *
 * <p><b>Ceiling</b>: KafkaSource over both topics → Confluent Avro decode (TurnoutReport or
 * ConnectivityEvent by topic) → keyBy branch → a ValueState counter per branch → discard. The least a
 * job that looks at every record can do on this machine.
 *
 * <p><b>Real</b>: KafkaSource over both topics → the live job's workflows ({@link LiveTurnoutJob#workflows}): the
 * turnout count and the outage/alert path, with the real InfluxDB sink and the real dead-letter KafkaSink; alerts
 * are counted and discarded instead of going through Kafka transactions.
 */
public final class BenchJobs {
    /** Accumulators: records read from Kafka, of them turnout and connectivity records, points emitted. */
    public static final String RECORDS_IN = "bench.records-in";
    public static final String TURNOUT_IN = "bench.turnout-in";
    public static final String CONNECTIVITY_IN = "bench.connectivity-in";
    public static final String POINTS_OUT = "bench.points-out";

    private BenchJobs() {}

    public static KafkaSource<RawRecord> source(String bootstrap, String groupId, boolean bounded, String... topics) {
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topics)
                .setGroupId(groupId)
                .setDeserializer(new RawRecordDeserializer())
                .setStartingOffsets(OffsetsInitializer.earliest());
        if (bounded) builder.setBounded(OffsetsInitializer.latest());
        return builder.build();
    }

    /** The ceiling job: decode every record, key it by branch, touch a ValueState, discard. */
    public static void defineCeiling(StreamExecutionEnvironment env, String bootstrap, String registryUrl,
                                     String turnoutTopic, String connectivityTopic) {
        RegistryConfig registry = RegistryConfig.of(registryUrl);
        LiveTurnoutJob.configureRuntime(env); // the same runtime settings as the real job
        env.fromSource(source(bootstrap, "bench-ceiling", true, turnoutTopic, connectivityTopic), WatermarkStrategy.noWatermarks(), "kafka: both topics")
                .process(new DecodeBoth(turnoutTopic, ConfluentAvroDecoder.forTurnoutReports(registry),
                        ConfluentAvroDecoder.forConnectivityEvents(registry)))
                .returns(Types.STRING).name("decode")
                .keyBy(branch -> branch)
                .process(new CountPerBranch()).name("count per branch")
                .sinkTo(new Discard<>()).name("discard");
    }

    /**
     * The real job on both topics: the live job's two workflows (turnout count, and outages and alerts) with its
     * real InfluxDB and dead-letter sinks; alerts are counted and discarded (no Kafka transactions in the figures).
     * {@code options} as for the live job ({@code --bounded} decides whether it stops at the offsets that are
     * latest when it starts). One Kafka source reads both topics (event time per partition, as live), split by topic.
     */
    public static TurnoutWorkflow.Outputs defineReal(StreamExecutionEnvironment env, JobOptions options, String connectivityTopic) {
        if (options.parallelism != null) env.setParallelism(options.parallelism);
        if (!options.checkpointInterval.isZero()) env.enableCheckpointing(options.checkpointInterval.toMillis());
        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections));
        RegistryConfig registry = RegistryConfig.of(options.registryUrl);
        SingleOutputStreamOperator<RawRecord> turnout = env
                .fromSource(source(options.bootstrapServers, options.groupId, options.bounded, options.turnoutTopic, connectivityTopic),
                        LiveTurnoutJob.kafkaWatermarks(options), "kafka: both topics").uid("bench-source")
                .process(new SplitByTopic(options.turnoutTopic)).name("split by topic").uid("bench-split");
        DataStream<RawRecord> connectivity = turnout.getSideOutput(SplitByTopic.CONNECTIVITY);
        LiveTurnoutJob.Sinks sinks = new LiveTurnoutJob.Sinks(LiveTurnoutJob.pointSink(options), LiveTurnoutJob.deadLetterSink(options, "turnout"),
                LiveTurnoutJob.deadLetterSink(options, "connectivity"), new Discard<>());
        TurnoutWorkflow.Outputs outputs = LiveTurnoutJob.workflows(turnout, connectivity, catalog, registry, options, sinks);
        outputs.points().map(new CountPoints()).name("count points").sinkTo(new Discard<>()).name("discard counted points");
        return outputs;
    }

    /** Turnout records on the main output, connectivity records on {@link #CONNECTIVITY}. Counts both. */
    static final class SplitByTopic extends ProcessFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;
        static final OutputTag<RawRecord> CONNECTIVITY = new OutputTag<>("bench-connectivity", TypeInformation.of(RawRecord.class));
        private final String turnoutTopic;
        private transient org.apache.flink.api.common.accumulators.LongCounter in, turnoutIn, connectivityIn;

        SplitByTopic(String turnoutTopic) {
            this.turnoutTopic = turnoutTopic;
        }

        @Override
        public void open(OpenContext context) {
            in = getRuntimeContext().getLongCounter(RECORDS_IN);
            turnoutIn = getRuntimeContext().getLongCounter(TURNOUT_IN);
            connectivityIn = getRuntimeContext().getLongCounter(CONNECTIVITY_IN);
        }

        @Override
        public void processElement(RawRecord record, Context ctx, Collector<RawRecord> out) {
            in.add(1);
            if (turnoutTopic.equals(record.topic)) {
                turnoutIn.add(1);
                out.collect(record);
            } else {
                connectivityIn.add(1);
                ctx.output(CONNECTIVITY, record);
            }
        }
    }

    /** Decodes either record type and emits its branch id. */
    static final class DecodeBoth extends ProcessFunction<RawRecord, String> {
        private static final long serialVersionUID = 1L;
        private final String turnoutTopic;
        private final ConfluentAvroDecoder<TurnoutReport> turnout;
        private final ConfluentAvroDecoder<ConnectivityEvent> connectivity;
        private transient org.apache.flink.api.common.accumulators.LongCounter in;

        DecodeBoth(String turnoutTopic, ConfluentAvroDecoder<TurnoutReport> turnout, ConfluentAvroDecoder<ConnectivityEvent> connectivity) {
            this.turnoutTopic = turnoutTopic;
            this.turnout = turnout;
            this.connectivity = connectivity;
        }

        @Override
        public void open(OpenContext context) {
            in = getRuntimeContext().getLongCounter(RECORDS_IN);
        }

        @Override
        public void processElement(RawRecord record, Context ctx, Collector<String> out) {
            in.add(1);
            try {
                out.collect(turnoutTopic.equals(record.topic)
                        ? turnout.decode(record.value).getBranchId()
                        : connectivity.decode(record.value).getBranchId());
            } catch (DecodeException ignored) {
                // the benchmark feed has no malformed records
            }
        }
    }

    /** A ValueState per branch, touched by every record. */
    static final class CountPerBranch extends KeyedProcessFunction<String, String, Long> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(String branch, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1L : c + 1);
        }
    }

    static final class CountPoints extends RichMapFunction<InfluxPoint, InfluxPoint> {
        private static final long serialVersionUID = 1L;
        private transient org.apache.flink.api.common.accumulators.LongCounter points;

        @Override
        public void open(OpenContext context) {
            points = getRuntimeContext().getLongCounter(POINTS_OUT);
        }

        @Override
        public InfluxPoint map(InfluxPoint point) {
            points.add(1);
            return point;
        }
    }

    /** Drops everything (Flink's DiscardingSink lives in a test-only module here). */
    static final class Discard<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override public void write(T element, Context context) {}
                @Override public void flush(boolean endOfInput) {}
                @Override public void close() {}
            };
        }
    }
}
