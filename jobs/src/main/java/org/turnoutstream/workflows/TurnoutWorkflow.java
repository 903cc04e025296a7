package org.turnoutstream.workflows;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.turnoutstream.events.BranchReport;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.QuietFeedWatermarks;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.TurnoutReportDecoder;
import org.turnoutstream.events.registry.ConfluentAvroDecoder;
import org.turnoutstream.functions.BranchDelta;
import org.turnoutstream.functions.BranchLatestCount;
import org.turnoutstream.functions.ElectionTally;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.InfluxPoint;

/**
 * Live turnout: raw turnout records in, turnout points and dead letters out. Live runs, replays and
 * tests all call {@link #define}; only the source and the sinks they pass differ.
 */
public final class TurnoutWorkflow {
    private TurnoutWorkflow() {}

    /** What the workflow produced, for callers that want to attach more (tests, later jobs). */
    public record Outputs(DataStream<InfluxPoint> points, DataStream<DeadLetter> deadLetters, DataStream<BranchReport> reports) {}

    public static Outputs define(DataStream<RawRecord> turnoutRecords,
                                 ElectionCatalog catalog,
                                 ConfluentAvroDecoder<TurnoutReport> decoder,
                                 TurnoutSettings settings,
                                 Sink<InfluxPoint> pointSink,
                                 Sink<DeadLetter> deadLetterSink) {
        // The decoded, valid reports (no timestamps yet): also the outage workflow's sign of life.
        SingleOutputStreamOperator<BranchReport> reports = turnoutRecords
                .process(new TurnoutReportDecoder(decoder, new ReportValidator(catalog, settings.maxClockSkew(), settings.maxBranchBallots())))
                .name("decode and validate turnout reports").uid("decode-turnout");
        DataStream<DeadLetter> deadLetters = reports.getSideOutput(TurnoutReportDecoder.DEAD_LETTERS);

        DataStream<BranchDelta> deltas = reports
                .assignTimestampsAndWatermarks(QuietFeedWatermarks.forReports(settings.maxOutOfOrderness(), settings.quietFeedAfter()))
                .name("event time").uid("turnout-watermarks")
                .keyBy(BranchReport::branchKey)
                .process(new BranchLatestCount(settings.grid()))
                .name("branch latest count").uid("branch-latest-count");

        DataStream<InfluxPoint> points = deltas
                .keyBy(delta -> delta.election)
                .process(new ElectionTally(catalog, settings.grid()))
                .name("election tally").uid("election-tally");

        points.sinkTo(pointSink).name("turnout points").uid("turnout-points-sink");
        deadLetters.sinkTo(deadLetterSink).name("dead letters").uid("dead-letter-sink");
        return new Outputs(points, deadLetters, reports);
    }
}
