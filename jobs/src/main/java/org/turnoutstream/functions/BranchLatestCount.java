package org.turnoutstream.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.turnoutstream.signals.BranchReport;

import java.util.ArrayList;
import java.util.List;

/**
 * Keyed by election and branch: keeps the branch's count as of every instant (its highest-sequence
 * report at or before it, each report counted from {@link BranchReport#countedAt}) and emits the changes as
 * {@link BranchDelta}s. A duplicate or a report
 * superseded by a higher sequence emits nothing; a late or reordered one emits the corrections it causes.
 */
public class BranchLatestCount extends KeyedProcessFunction<String, BranchReport, BranchDelta> {
    private static final long serialVersionUID = 1L;

    private final TurnoutGrid grid;
    private transient ValueState<BranchHistory> history;
    private transient Counter applied;
    private transient Counter duplicates;
    private transient Counter superseded;
    private transient Counter late;
    private transient Counter beyondHorizon;
    private transient List<BranchHistory.Step> steps;

    public BranchLatestCount(TurnoutGrid grid) {
        this.grid = grid;
    }

    @Override
    public void open(OpenContext openContext) {
        bind(getRuntimeContext().getState(new ValueStateDescriptor<>("branch-history", TypeInformation.of(BranchHistory.class))),
                getRuntimeContext().getMetricGroup());
    }

    /** Where the branch's history lives and where the counters go: its own keyed state, or a part of {@link BranchWorkFunction}'s. */
    void bind(ValueState<BranchHistory> history, MetricGroup metrics) {
        this.history = history;
        applied = metrics.counter("reports_applied");
        duplicates = metrics.counter("duplicate_reports");
        superseded = metrics.counter("superseded_reports");
        late = metrics.counter("late_reports");
        beyondHorizon = metrics.counter("reports_beyond_horizon");
        steps = new ArrayList<>();
    }

    @Override
    public void processElement(BranchReport report, Context ctx, Collector<BranchDelta> out) throws Exception {
        count(report, ctx.timerService().currentWatermark(), out);
    }

    void count(BranchReport report, long watermark, Collector<BranchDelta> out) throws Exception {
        BranchHistory branch = history.value();
        if (branch == null) branch = new BranchHistory();

        steps.clear();
        long countedAt = report.countedAt(grid.correctionHorizonMillis());
        BranchHistory.Outcome outcome = branch.add(countedAt, report.sequence, report.ballotsCast, steps);
        switch (outcome) {
            case DUPLICATE -> duplicates.inc();
            case SUPERSEDED -> superseded.inc();
            case APPLIED -> {
                applied.inc();
                if (countedAt <= watermark) late.inc();
                if (countedAt > report.eventTime) beyondHorizon.inc();
                for (BranchHistory.Step step : steps) {
                    out.collect(new BranchDelta(report.election, report.constituencyId, step.time(), step.ballots(), step.reporting()));
                }
                if (steps.isEmpty()) {
                    // Same count as before, but news all the same: the grid extends to this report's time.
                    out.collect(new BranchDelta(report.election, report.constituencyId, countedAt, 0, 0));
                }
            }
        }
        // Compaction follows the branch's own reports, never the watermark: the tally may not have
        // written the instants the watermark passed (a quiet election, a lagging subtask), and a
        // branch's output must not depend on when watermarks happened to arrive.
        long latest = branch.latestTime();
        if (latest > Long.MIN_VALUE + grid.correctionHorizonMillis() + 2 * grid.intervalMillis()) {
            branch.compactBefore(latest - grid.correctionHorizonMillis() - 2 * grid.intervalMillis());
        }
        history.update(branch);
    }
}
