package org.turnoutstream.workflows;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.turnoutstream.events.BranchReport;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.registry.ConfluentAvroDecoder;
import org.turnoutstream.functions.BranchDelta;
import org.turnoutstream.functions.BranchSignal;
import org.turnoutstream.functions.BranchStatusChange;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.InfluxPoint;

/**
 * The turnout and the outage workflows of the live job, its replays and the bench, with the per-branch work in ONE
 * shuffle: every signal (connectivity events and reports, as {@link BranchSignal}s) is partitioned by branch once, and
 * the three per-branch functions (the count, the outage detector, the integrity checks) run chained behind it, each on
 * the same partitioning ({@link DataStreamUtils#reinterpretAsKeyedStream}: each keeps its own keyed state, nothing is
 * shuffled again). Before, a report was shuffled three times and a heartbeat once; the functions and their uids are the
 * same as in {@link TurnoutWorkflow#define} and {@link ConnectivityWorkflow#define}, so their savepoint state carries over.
 *
 * <pre>
 * turnout records -> decode+validate -> reports -> as signals --+
 * connectivity records -> decode+validate -> signals -----------+-> keyBy branch -> signals by branch ==(chained)==>
 *     reports -> branch latest count -> deltas -> keyBy election -> election tally -> turnout points
 *     all signals -> branch outages -> status changes          } -> {@link ConnectivityWorkflow#alerts}
 *     reports and closings -> integrity checks -> alerts        }
 * </pre>
 *
 * <p>The count's watermark is now the one of both topics (they pass the same shuffle), so a turnout point is written
 * once both feeds' event time has passed it (an idle partition of either is left out after the quiet-feed period).
 */
public final class BranchWork {
    private BranchWork() {}

    private static final KeySelector<BranchSignal, String> BY_BRANCH = BranchSignal::branchKey;

    public static TurnoutWorkflow.Outputs define(DataStream<RawRecord> turnoutRecords, DataStream<RawRecord> connectivityRecords,
                                                 ElectionCatalog catalog, ConfluentAvroDecoder<TurnoutReport> turnoutDecoder,
                                                 ConfluentAvroDecoder<ConnectivityEvent> connectivityDecoder, TurnoutSettings turnout,
                                                 ConnectivitySettings connectivity, Sink<InfluxPoint> pointSink,
                                                 Sink<DeadLetter> turnoutDeadLetters, Sink<DeadLetter> connectivityDeadLetters,
                                                 Sink<BranchAlert> alertSink) {
        TurnoutWorkflow.Decoded reports = TurnoutWorkflow.decode(turnoutRecords, catalog, turnoutDecoder, turnout);
        ConnectivityWorkflow.Decoded events = ConnectivityWorkflow.decode(connectivityRecords, catalog, connectivityDecoder, connectivity);
        DataStream<BranchSignal> reportSignals = ConnectivityWorkflow.reportSignals(reports.reports());

        // The one shuffle: every signal to the subtask of its branch.
        SingleOutputStreamOperator<BranchSignal> byBranch = events.signals().union(reportSignals)
                .keyBy(BY_BRANCH)
                .map((MapFunction<BranchSignal, BranchSignal>) signal -> signal).returns(BranchSignal.class)
                .name("signals by branch").uid("signals-by-branch");

        KeyedStream<BranchReport, String> reportsByBranch = DataStreamUtils.reinterpretAsKeyedStream(
                byBranch.filter(signal -> signal.kind == BranchSignal.Kind.REPORT).name("reports").uid("branch-reports")
                        .map((MapFunction<BranchSignal, BranchReport>) BranchSignal::toReport).returns(BranchReport.class)
                        .name("as reports").uid("branch-reports-as-reports"),
                BranchReport::branchKey, Types.STRING);
        DataStream<BranchDelta> deltas = TurnoutWorkflow.count(reportsByBranch, turnout);
        DataStream<BranchStatusChange> changes = ConnectivityWorkflow.outages(
                DataStreamUtils.reinterpretAsKeyedStream(byBranch, BY_BRANCH, Types.STRING), connectivity);
        DataStream<BranchAlert> integrityAlerts = ConnectivityWorkflow.integrity(
                DataStreamUtils.reinterpretAsKeyedStream(ConnectivityWorkflow.reportsAndClosings(byBranch), BY_BRANCH, Types.STRING), connectivity);

        TurnoutWorkflow.Outputs counted = TurnoutWorkflow.tally(reports, deltas, catalog, turnout, pointSink, turnoutDeadLetters);
        ConnectivityWorkflow.alerts(events, reportSignals, changes, integrityAlerts, counted.points(), catalog, connectivity,
                alertSink, pointSink, connectivityDeadLetters);
        return counted;
    }
}
