package org.turnoutstream.workflows;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.turnoutstream.batching.PrefetchingProcessOperator;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.TurnoutReportDecoder;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.functions.AboveCapacityAlerts;
import org.turnoutstream.functions.BranchDelta;
import org.turnoutstream.functions.BranchLatestCount;
import org.turnoutstream.functions.ElectionTally;
import org.turnoutstream.functions.ParticipationFields;
import org.turnoutstream.functions.ParticipationLagging;
import org.turnoutstream.functions.TurnoutOverEligible;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.points.InfluxPoint;

import java.util.Map;
import java.util.TreeMap;

/**
 * Live turnout: raw turnout records in, turnout points and dead letters out. {@link #define} wires it alone (turnout
 * tests); the live job, its replays and the bench wire its steps ({@link #decode}, {@link #count}, {@link #tally}) with
 * the outage workflow's in {@link BranchWork}, sharing one shuffle by branch. The records must carry their Kafka
 * timestamps as event time, with watermarks from the source ({@code LiveTurnoutJob.sourceWatermarks}).
 */
public final class TurnoutWorkflow {
    private TurnoutWorkflow() {}

    /** What the workflow produced, for callers that want to attach more (tests, later jobs). */
    public record Outputs(DataStream<InfluxPoint> points, DataStream<DeadLetter> deadLetters, DataStream<BranchReport> reports,
                          DataStream<BranchAlert> alerts) {}

    /**
     * The decoded, valid reports, the dead letters of the turnout topic, and the alerts about refused reports
     * (COUNT_ABOVE_CAPACITY: the outage workflow sends them with the others).
     */
    public record Decoded(SingleOutputStreamOperator<BranchReport> reports, DataStream<DeadLetter> deadLetters, DataStream<BranchAlert> alerts) {}

    /** Turnout alone: decode, count per branch (its own shuffle by branch), tally, sinks. */
    public static Outputs define(DataStream<RawRecord> turnoutRecords,
                                 ElectionCatalog catalog,
                                 ConfluentAvroDecoder<TurnoutReport> decoder,
                                 TurnoutSettings settings,
                                 Sink<InfluxPoint> pointSink,
                                 Sink<DeadLetter> deadLetterSink) {
        Decoded decoded = decode(turnoutRecords, catalog, decoder, settings);
        return tally(decoded, count(decoded.reports().keyBy(BranchReport::branchKey), settings), catalog, settings, pointSink, deadLetterSink);
    }

    /** Decode and validate: the valid reports (no timestamps assigned here: they keep the sources') and the dead letters. */
    public static Decoded decode(DataStream<RawRecord> turnoutRecords, ElectionCatalog catalog, ConfluentAvroDecoder<TurnoutReport> decoder,
                                 TurnoutSettings settings) {
        TurnoutReportDecoder decode = new TurnoutReportDecoder(decoder, new ReportValidator(catalog, settings.maxClockSkew(), settings.maxBranchBallots()));
        SingleOutputStreamOperator<BranchReport> reports = turnoutRecords
                .transform("decode and validate turnout reports", TypeInformation.of(BranchReport.class), new PrefetchingProcessOperator<>(decode))
                .uid("decode-turnout");
        DataStream<BranchAlert> alerts = reports.getSideOutput(TurnoutReportDecoder.ABOVE_CAPACITY)
                .map(new AboveCapacityAlerts(catalog)).returns(TypeInformation.of(BranchAlert.class))
                .name("reports above capacity").uid("above-capacity-alerts");
        return new Decoded(reports, reports.getSideOutput(TurnoutReportDecoder.DEAD_LETTERS), alerts);
    }

    /**
     * The branch's count as of every instant, as deltas, on reports keyed by branch. Event time is the sources': when the
     * centre heard each record, one watermark per Kafka partition. A report counts at its own event time, or from
     * (heard - horizon) when heard later than that (BranchReport#countedAt), so which published points a late report may
     * rewrite never depends on how a run read the partitions.
     */
    /** The branch count as the settings configure it (its own operator here, a part of {@code BranchWork}'s). */
    public static BranchLatestCount branchCount(TurnoutSettings settings) {
        return new BranchLatestCount(settings.grid());
    }

    public static DataStream<BranchDelta> count(KeyedStream<BranchReport, String> reportsByBranch, TurnoutSettings settings) {
        return reportsByBranch
                .process(branchCount(settings))
                .name("branch latest count").uid("branch-latest-count");
    }

    /** The election tally of the deltas into turnout points, and the sinks of the points and the dead letters. */
    public static Outputs tally(Decoded decoded, DataStream<BranchDelta> deltas, ElectionCatalog catalog, TurnoutSettings settings,
                                Sink<InfluxPoint> pointSink, Sink<DeadLetter> deadLetterSink) {
        DataStream<InfluxPoint> points = deltas
                .keyBy(delta -> delta.election)
                .process(new ElectionTally(catalog, settings.grid(), settings.publishedUpTo(), settings.rewritePublished()))
                .name("election tally").uid("election-tally");
        DataStream<BranchAlert> alerts = decoded.alerts();
        ParticipationSettings participation = settings.participation();
        if (participation.any()) {
            points = points
                    .map(new ParticipationFields(participation.baselines())).returns(InfluxPoint.class)
                    .name("compared with baselines").uid("participation-fields");
            alerts = alerts.union(lagging(points, settings));
        }

        points.sinkTo(pointSink).name("turnout points").uid("turnout-points-sink");
        decoded.deadLetters().sinkTo(deadLetterSink).name("dead letters").uid("dead-letter-sink");
        return new Outputs(points, decoded.deadLetters(), decoded.reports(), alerts);
    }

    /** PARTICIPATION_LAGGING / _CAUGHT_UP from the constituency points compared with a baseline ({@link ParticipationLagging}). */
    static DataStream<BranchAlert> lagging(DataStream<InfluxPoint> points, TurnoutSettings settings) {
        ParticipationSettings participation = settings.participation();
        // a recount holds back the instants InfluxDB held when it started (ElectionTally): the lagging alerts wait for them
        Map<String, Long> heldBack = new TreeMap<>();
        settings.publishedUpTo().forEach((election, last) -> heldBack.put(election, settings.grid().instantAtOrBefore(last)));
        return points
                .filter(ParticipationLagging::judged)
                .name("constituency points vs baselines").uid("participation-points")
                .keyBy(TurnoutOverEligible::keyOf)
                .process(new ParticipationLagging(participation.lagPoints(), participation.lagFor(), heldBack, settings.correctionHorizon(),
                        participation.ends()))
                .name("participation lagging").uid("participation-lagging");
    }
}
