package org.turnoutstream.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.turnoutstream.functions.BranchHistory;

/**
 * The keyed update of {@code BranchLatestCount} on the in-order path: a branch's next report (one
 * minute later, next sequence, a few more ballots) added to its history, then the history compacted
 * to the correction horizon (10 min + 2 grid intervals) as the function does after every report. The
 * history therefore stays at its steady-state size (~11 entries). Flink's state access and
 * serialization are not part of this figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BranchHistoryBenchmark {
    static final long HORIZON = 10 * 60_000L, GRID = 10_000L;

    private BranchHistory history;
    private final List<BranchHistory.Step> steps = new ArrayList<>();
    private long time, sequence, ballots;

    @Setup
    public void setUp() {
        history = new BranchHistory();
        time = 1_709_263_800_000L; // 2024-03-01 08:00 Asia/Tehran
        for (int i = 0; i < 30; i++) addInOrder();
    }

    @Benchmark
    public int addInOrder() {
        time += 60_000;
        sequence++;
        ballots += 7;
        steps.clear();
        BranchHistory.Outcome outcome = history.add(time, sequence, ballots, steps);
        history.compactBefore(history.latestTime() - HORIZON - 2 * GRID);
        return outcome.ordinal() + steps.size() + history.size();
    }
}
