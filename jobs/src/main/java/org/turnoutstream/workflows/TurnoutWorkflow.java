package org.turnoutstream.workflows;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.turnoutstream.events.BranchReport;
import org.turnoutstream.events.DeadLetter;
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
 * tests all call {@link #define}; only the source and the sinks they pass differ. The records must carry their
 * Kafka timestamps as event time, with watermarks from the source ({@code LiveTurnoutJob.sourceWatermarks}).
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

        // Event time is the sources': when the centre heard each record, one watermark per Kafka partition. A report
        // counts at its own event time, or from (heard - horizon) when heard later than that (BranchReport#countedAt),
        // so which published points a late report may rewrite never depends on how a run read the partitions.
        DataStream<BranchDelta> deltas = reports
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
