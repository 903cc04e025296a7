package org.turnoutstream.workflows;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.turnoutstream.functions.BranchDelta;
import org.turnoutstream.functions.BranchWorkFunction;
import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.functions.BranchStatusChange;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.points.InfluxPoint;

/**
 * The turnout and the outage workflows of the live job, its replays and the bench, with the per-branch work in ONE
 * shuffle and ONE keyed function: every signal (connectivity events and reports, as {@link BranchSignal}s) is
 * partitioned by branch once (by its compact key, {@link BranchSignal#compactKey()}), and {@link BranchWorkFunction} runs the three per-branch parts (the count, the outage
 * detector, the integrity checks) on one state entry and one timer per branch. The parts are the functions
 * {@link TurnoutWorkflow#define} and {@link OutageAlertWorkflow#define} run as separate operators (the tests compare the
 * two topologies); their state is not shared with those operators' savepoints (this operator's uid is
 * {@code branch-work}).
 *
 * <pre>
 * turnout records -> decode+validate -> reports -> as signals --+
 * connectivity records -> decode+validate -> signals -----------+-> keyBy branch -> branch work:
 *     deltas (count of reports) -> keyBy election -> election tally -> turnout points
 *     status changes (outages, side output)      } -> {@link OutageAlertWorkflow#alerts}
 *     integrity alerts (side output)             }
 * </pre>
 *
 * <p>The count's watermark is the one of both topics (they pass the same shuffle), so a turnout point is written
 * once both feeds' event time has passed it (an idle partition of either is left out after the quiet-feed period).
 */
public final class BranchWork {
    private BranchWork() {}

    private static final KeySelector<BranchSignal, Long> BY_BRANCH = BranchSignal::compactKey;

    public static TurnoutWorkflow.Outputs define(DataStream<RawRecord> turnoutRecords, DataStream<RawRecord> connectivityRecords,
                                                 ElectionCatalog catalog, ConfluentAvroDecoder<TurnoutReport> turnoutDecoder,
                                                 ConfluentAvroDecoder<ConnectivityEvent> connectivityDecoder, TurnoutSettings turnout,
                                                 ConnectivitySettings connectivity, Sink<InfluxPoint> pointSink,
                                                 Sink<DeadLetter> turnoutDeadLetters, Sink<DeadLetter> connectivityDeadLetters,
                                                 Sink<BranchAlert> alertSink) {
        TurnoutWorkflow.Decoded reports = TurnoutWorkflow.decode(turnoutRecords, catalog, turnoutDecoder, turnout);
        OutageAlertWorkflow.Decoded events = OutageAlertWorkflow.decode(connectivityRecords, catalog, connectivityDecoder, connectivity);
        DataStream<BranchSignal> reportSignals = OutageAlertWorkflow.reportSignals(reports.reports(), catalog);

        // The one shuffle: every signal to the subtask of its branch, where one keyed function does the branch's work.
        BranchWorkFunction work = new BranchWorkFunction(TurnoutWorkflow.branchCount(turnout),
                OutageAlertWorkflow.detector(connectivity), OutageAlertWorkflow.integrityChecks(connectivity), catalog);
        SingleOutputStreamOperator<BranchDelta> deltas = events.signals().union(reportSignals)
                .keyBy(BY_BRANCH, Types.LONG)
                .transform("branch work", TypeInformation.of(BranchDelta.class), work.operator())
                .uid("branch-work");
        DataStream<BranchStatusChange> changes = deltas.getSideOutput(BranchWorkFunction.STATUS_CHANGES);
        TurnoutWorkflow.Outputs counted = TurnoutWorkflow.tally(reports, deltas, catalog, turnout, pointSink, turnoutDeadLetters);
        // the turnout workflow's alerts: refused reports, and participation lagging behind a baseline
        DataStream<BranchAlert> integrityAlerts = deltas.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS).union(counted.alerts());
        OutageAlertWorkflow.alerts(events, reportSignals, changes, integrityAlerts, counted.points(), catalog, connectivity,
                alertSink, pointSink, connectivityDeadLetters);
        return counted;
    }
}
