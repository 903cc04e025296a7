package org.turnoutstream.workflows;

import org.turnoutstream.batching.PrefetchingProcessOperator;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.events.ConnectivityEventDecoder;
import org.turnoutstream.events.ConnectivityValidator;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.QuietFeedWatermarks;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.functions.AlertPoints;
import org.turnoutstream.functions.BranchOutageDetector;
import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.signals.BranchSignalSerializer;
import org.turnoutstream.functions.BranchStatusChange;
import org.turnoutstream.functions.ConstituencyConnectivity;
import org.turnoutstream.functions.FeedActivity;
import org.turnoutstream.functions.FeedActivitySummary;
import org.turnoutstream.functions.FeedWatchdog;
import org.turnoutstream.functions.IntegrityChecks;
import org.turnoutstream.functions.TurnoutOverEligible;
import org.turnoutstream.functions.TurnoutPoints;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.points.InfluxPoint;

import java.time.Duration;

/**
 * Outages and alerts: raw connectivity records plus the turnout workflow's decoded reports (a report is a
 * sign of life) and its points in; alerts, branch_status / constituency_connectivity / alerts points and
 * dead letters out.
 *
 * <p>Both record streams must carry the time the centre heard each record (its Kafka timestamp) as their
 * timestamps and watermarks: give {@link QuietFeedWatermarks#forRecords} to the sources (one watermark per
 * Kafka partition). The outage detector works on that timeline; reports keep the source's timestamps through
 * the decoder.
 *
 * <pre>
 * connectivity records -> decode+validate --+
 *                                           +-> union -> keyBy branch --> BranchOutageDetector -> status changes
 * turnout reports -> as signals ------------+                                               \-> keyBy branch --> IntegrityChecks -> alerts
 * status changes -> branch_status points, OUTAGE_* alerts; keyBy constituency -> ConstituencyConnectivity -> CONSTITUENCY_* alerts (+ connectivity points)
 * tally points (constituency_turnout) -> keyBy constituency -> TurnoutOverEligible -> alerts
 * refused reports (above their branch's capacity) -> COUNT_ABOVE_CAPACITY alerts (TurnoutWorkflow#decode)
 * all alerts -> alert sink, and an alerts point each -> point sink
 * </pre>
 */
public final class OutageAlertWorkflow {
    private OutageAlertWorkflow() {}

    /** What the workflow produced, for callers that want to attach more. */
    public record Outputs(DataStream<BranchAlert> alerts, DataStream<InfluxPoint> points, DataStream<DeadLetter> deadLetters,
                          DataStream<BranchStatusChange> statusChanges) {}

    public static Outputs define(DataStream<RawRecord> connectivityRecords,
                                 TurnoutWorkflow.Outputs turnout,
                                 ElectionCatalog catalog,
                                 ConfluentAvroDecoder<ConnectivityEvent> decoder,
                                 ConnectivitySettings settings,
                                 Sink<BranchAlert> alertSink,
                                 Sink<InfluxPoint> pointSink,
                                 Sink<DeadLetter> deadLetterSink) {
        return define(connectivityRecords, turnout.reports(), turnout.alerts(), turnout.points(), catalog, decoder, settings, alertSink, pointSink,
                deadLetterSink);
    }

    /** Outages and alerts alone: the signals get their own shuffles by branch (tests); see {@link BranchWork} for the live job. */
    public static Outputs define(DataStream<RawRecord> connectivityRecords,
                                 DataStream<BranchReport> reports,
                                 DataStream<BranchAlert> reportAlerts,
                                 DataStream<InfluxPoint> tallyPoints,
                                 ElectionCatalog catalog,
                                 ConfluentAvroDecoder<ConnectivityEvent> decoder,
                                 ConnectivitySettings settings,
                                 Sink<BranchAlert> alertSink,
                                 Sink<InfluxPoint> pointSink,
                                 Sink<DeadLetter> deadLetterSink) {
        Decoded connectivity = decode(connectivityRecords, catalog, decoder, settings);
        DataStream<BranchSignal> reportSignals = reportSignals(reports, catalog);
        // Timestamps and watermarks are the sources' (when the centre heard each record, per Kafka partition).
        DataStream<BranchSignal> signals = connectivity.signals().union(reportSignals);
        DataStream<BranchStatusChange> changes = outages(signals.keyBy(BranchSignal::branchKey), settings);
        // Only reports, CLOSED and signals of a clock that reads ahead matter to the integrity checks: heartbeats (most of the
        // traffic) are not shuffled to them.
        DataStream<BranchAlert> integrityAlerts = integrity(reportsAndClosings(signals).keyBy(BranchSignal::branchKey), settings)
                .union(reportAlerts);
        return alerts(connectivity, reportSignals, changes, integrityAlerts, tallyPoints, catalog, settings, alertSink, pointSink, deadLetterSink);
    }

    /** The decoded, valid connectivity events as signals, and the dead letters of the connectivity topic. */
    public record Decoded(SingleOutputStreamOperator<BranchSignal> signals, DataStream<DeadLetter> deadLetters) {}

    public static Decoded decode(DataStream<RawRecord> connectivityRecords, ElectionCatalog catalog, ConfluentAvroDecoder<ConnectivityEvent> decoder,
                                 ConnectivitySettings settings) {
        ConnectivityEventDecoder decode = new ConnectivityEventDecoder(decoder, new ConnectivityValidator(catalog, settings.maxClockSkew()));
        SingleOutputStreamOperator<BranchSignal> connectivity = connectivityRecords
                .transform("decode and validate connectivity events", BranchSignalSerializer.typeInfo(catalog), new PrefetchingProcessOperator<>(decode))
                .uid("decode-connectivity");
        return new Decoded(connectivity, connectivity.getSideOutput(ConnectivityEventDecoder.DEAD_LETTERS));
    }

    /** A report is a sign of life. Signals of the catalog's branches cross the shuffles by branch as its index. */
    public static DataStream<BranchSignal> reportSignals(DataStream<BranchReport> reports, ElectionCatalog catalog) {
        return reports
                .map((MapFunction<BranchReport, BranchSignal>) BranchSignal::of).returns(BranchSignalSerializer.typeInfo(catalog))
                .name("reports as signs of life").uid("report-signals");
    }

    /** The outage detector as the settings configure it (its own operator here, a part of {@code BranchWork}'s). */
    public static BranchOutageDetector detector(ConnectivitySettings settings) {
        return new BranchOutageDetector(settings.timeouts(), BranchOutageDetector.DEFAULT_CLOSED_RETENTION, settings.hours());
    }

    /** The integrity checks as the settings configure them. */
    public static IntegrityChecks integrityChecks(ConnectivitySettings settings) {
        return new IntegrityChecks(settings.rules(), settings.hours());
    }

    public static DataStream<BranchStatusChange> outages(KeyedStream<BranchSignal, String> signalsByBranch, ConnectivitySettings settings) {
        return signalsByBranch
                .transform("branch outages", TypeInformation.of(BranchStatusChange.class), detector(settings).operator())
                .uid("branch-outages");
    }

    public static DataStream<BranchSignal> reportsAndClosings(DataStream<BranchSignal> signals) {
        return signals
                .filter(IntegrityChecks::judged)
                .name("reports and closings").uid("integrity-signals");
    }

    public static DataStream<BranchAlert> integrity(KeyedStream<BranchSignal, String> reportsAndClosingsByBranch, ConnectivitySettings settings) {
        return reportsAndClosingsByBranch
                .process(integrityChecks(settings))
                .name("integrity checks").uid("integrity-checks");
    }

    /**
     * Everything after the per-branch functions: the constituency view, the alerts (outages, constituencies, integrity,
     * turnout over 100 %, the feed watchdog), their points and the sinks.
     */
    public static Outputs alerts(Decoded connectivity, DataStream<BranchSignal> reportSignals, DataStream<BranchStatusChange> changes,
                                 DataStream<BranchAlert> integrityAlerts, DataStream<InfluxPoint> tallyPoints, ElectionCatalog catalog,
                                 ConnectivitySettings settings, Sink<BranchAlert> alertSink, Sink<InfluxPoint> pointSink,
                                 Sink<DeadLetter> deadLetterSink) {
        DataStream<DeadLetter> deadLetters = connectivity.deadLetters();
        SingleOutputStreamOperator<BranchAlert> constituencyAlerts = changes
                .keyBy(BranchStatusChange::constituencyKey)
                .process(new ConstituencyConnectivity(catalog, settings.grid(), settings.thresholds()))
                .name("constituency connectivity").uid("constituency-connectivity");
        DataStream<InfluxPoint> connectivityPoints = constituencyAlerts.getSideOutput(ConstituencyConnectivity.POINTS);

        DataStream<BranchAlert> outageAlerts = changes
                .flatMap((FlatMapFunction<BranchStatusChange, BranchAlert>) (change, out) -> change.alert().ifPresent(out::collect))
                .returns(TypeInformation.of(BranchAlert.class))
                .name("outage alerts").uid("outage-alerts");

        DataStream<BranchAlert> overEligible = tallyPoints
                .filter(point -> TurnoutPoints.CONSTITUENCY.equals(point.measurement()))
                .name("constituency turnout points").uid("constituency-turnout-points")
                .keyBy(TurnoutOverEligible::keyOf)
                .process(new TurnoutOverEligible())
                .name("turnout over eligible").uid("turnout-over-eligible");

        DataStream<BranchAlert> alerts = outageAlerts.union(constituencyAlerts, integrityAlerts, overEligible);
        if (!settings.feedSilentAfter().isZero()) {
            // Wall-clock watchdog: HQ is blind when nothing arrives at all. Off in replays (not reproducible).
            // Summarised per subtask where the signals are made: the watchdog's one subtask per election gets a record per
            // subtask and second, not every signal.
            Duration every = FeedActivitySummary.DEFAULT_INTERVAL;
            DataStream<FeedActivity> activity = FeedActivitySummary.of(connectivity.signals(), every, "connectivity feed activity", "connectivity-feed-activity")
                    .union(FeedActivitySummary.of(reportSignals, every, "report feed activity", "report-feed-activity"));
            DataStream<BranchAlert> feedAlerts = activity
                    .keyBy(a -> a.election)
                    .process(FeedWatchdog.onActivity(settings.feedSilentAfter()))
                    .name("feed watchdog").uid("feed-watchdog");
            alerts = alerts.union(feedAlerts);
        }

        DataStream<InfluxPoint> statusPoints = changes
                .map((MapFunction<BranchStatusChange, InfluxPoint>) BranchStatusChange::statusPoint).returns(InfluxPoint.class)
                .name("branch status points").uid("branch-status-points");
        DataStream<InfluxPoint> alertPoints = alerts
                .map((MapFunction<BranchAlert, InfluxPoint>) AlertPoints::of).returns(InfluxPoint.class)
                .name("alert points").uid("alert-points");
        DataStream<InfluxPoint> points = statusPoints.union(connectivityPoints, alertPoints);

        alerts.sinkTo(alertSink).name("alerts").uid("alert-sink");
        points.sinkTo(pointSink).name("outage points").uid("outage-points-sink");
        deadLetters.sinkTo(deadLetterSink).name("connectivity dead letters").uid("connectivity-dead-letter-sink");
        return new Outputs(alerts, points, deadLetters, changes);
    }
}
