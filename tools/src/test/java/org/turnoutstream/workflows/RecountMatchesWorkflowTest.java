package org.turnoutstream.workflows;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.audit.IndependentRecount;
import org.turnoutstream.audit.IndependentRecount.PointKey;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;

/**
 * The audit's premise on a small scale: the streaming workflow and the independent recount, given
 * the same raw records (duplicates, reordering, late reports, a malformed record), produce the same
 * points, field for field (the workflow's corrections applied as InfluxDB would: last write wins).
 */
class RecountMatchesWorkflowTest {
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    static final ConcurrentLinkedQueue<InfluxPoint> WRITTEN = new ConcurrentLinkedQueue<>();

    @TempDir Path work;

    @Test
    void sameRecordsSamePoints() throws Exception {
        ElectionDayScenario day = new ElectionDayScenario(31, 20).withDuplicates(15, 1).withReordering(30, 2).withLateReports(6, 3);
        String topic = "branch.turnout.recount";
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(registry.config(), topic, TurnoutReport.class);
        List<RawRecord> records = new ArrayList<>();
        long offset = 0;
        for (TurnoutReport r : day.sent) {
            records.add(new RawRecord(topic, 0, offset++, r.getEventTime().toEpochMilli(), r.getBranchId().getBytes(StandardCharsets.UTF_8), encoder.encode(r)));
        }
        records.add(new RawRecord(topic, 0, offset, 0, null, new byte[]{1, 2, 3, 4, 5, 6}));
        ElectionCatalog catalog = ElectionCatalog.load(Map.of(ELECTION, ElectionDayScenario.writeReferenceData(work.resolve("reference"))));
        ConfluentAvroDecoder<TurnoutReport> decoder = ConfluentAvroDecoder.forTurnoutReports(registry.config());

        WRITTEN.clear();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TurnoutSettings settings = TurnoutSettings.defaults().withQuietFeedAfter(Duration.ZERO).withCorrectionHorizon(Duration.ofHours(1));
        settings = new TurnoutSettings(settings.gridInterval(), settings.correctionHorizon(), settings.maxOutOfOrderness(),
                settings.quietFeedAfter(), Duration.ZERO, settings.maxBranchBallots());
        TurnoutWorkflow.define(env.fromData(TypeInformation.of(RawRecord.class), records.toArray(new RawRecord[0]))
                        .assignTimestampsAndWatermarks(LiveTurnoutJob.sourceWatermarks(settings)),
                catalog, decoder, settings, new Collect<>(true), new Collect<DeadLetter>(false));
        env.execute("recount-vs-workflow");
        SortedMap<PointKey, Map<String, Object>> streamed = new TreeMap<>();
        for (InfluxPoint p : WRITTEN) streamed.put(PointKey.of(p), p.fields()); // a correction overwrites, like InfluxDB

        IndependentRecount.Result recount = new IndependentRecount(catalog, decoder::decode,
                new ReportValidator(catalog, Duration.ZERO, settings.maxBranchBallots()), IndependentRecount.DEFAULT_GRID)
                .addAll(records.iterator()).compute();
        SortedMap<PointKey, Map<String, Object>> recounted = recount.points();

        assertEquals(recounted.keySet(), streamed.keySet(), "the same points: grid, series, silent constituencies");
        for (Map.Entry<PointKey, Map<String, Object>> e : recounted.entrySet()) {
            assertEquals(e.getValue(), streamed.get(e.getKey()), e.getKey().toString());
        }
        assertEquals(1L, recount.rejected().values().stream().mapToLong(Long::longValue).sum());
    }

    /** Keeps points in arrival order (one election: one tally subtask, so corrections arrive after the points they fix). */
    static final class Collect<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final boolean keep;

        Collect(boolean keep) {
            this.keep = keep;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override public void write(T element, Context context) {
                    if (keep) WRITTEN.add((InfluxPoint) element);
                }
                @Override public void flush(boolean endOfInput) {}
                @Override public void close() {}
            };
        }
    }
}
