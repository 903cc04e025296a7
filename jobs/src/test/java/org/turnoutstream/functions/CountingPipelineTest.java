package org.turnoutstream.functions;

import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;

/**
 * The two counting stages chained as in the job (branch latest count, then the election tally), fed
 * thousands of seeded election mornings with reordering, duplicates, very late reports, two elections
 * side by side, watermark jumps of a quiet feed and a restart from a snapshot. Every point is compared
 * with a naive recount: the highest sequence per branch at or before the point's instant.
 */
class CountingPipelineTest {
    static final String[][] BRANCHES = {{"a1", "A"}, {"a2", "A"}, {"b1", "B"}, {"c1", "C"}};
    static final List<String> ELECTIONS = List.of("r1", "r2");

    static Election election(String id) {
        return Election.builder(id)
                .constituency("A", "A", "P1", 1_000).constituency("B", "B", "P1", 500)
                .constituency("C", "C", "P2", 2_000).constituency("D", "D", "P2", 100)
                .branch("a1", "A", "a1").branch("a2", "A", "a2").branch("b1", "B", "b1").branch("c1", "C", "c1")
                .build();
    }

    static final ElectionCatalog CATALOG = ElectionCatalog.of(election("r1"), election("r2"));

    KeyedOneInputStreamOperatorTestHarness<String, BranchReport, BranchDelta> branches;
    KeyedOneInputStreamOperatorTestHarness<String, BranchDelta, InfluxPoint> tally;
    TurnoutGrid grid;
    Map<String, long[]> written;
    long watermark;
    Random quietFeed;

    void open(OperatorSubtaskState branchState, OperatorSubtaskState tallyState) throws Exception {
        branches = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new BranchLatestCount(grid)), BranchReport::branchKey, Types.STRING));
        tally = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ElectionTally(CATALOG, grid)), d -> d.election, Types.STRING));
        branches.setup();
        tally.setup();
        if (branchState != null) {
            branches.initializeState(branchState);
            tally.initializeState(tallyState);
        }
        branches.open();
        tally.open();
        watermark = Long.MIN_VALUE; // watermarks are not part of a checkpoint
    }

    void forwardDeltas() throws Exception {
        for (BranchDelta delta : branches.extractOutputValues()) tally.processElement(delta, delta.effectiveTime);
        branches.getOutput().clear();
        collectPoints();
    }

    void collectPoints() {
        for (InfluxPoint p : tally.extractOutputValues()) {
            written.put(p.measurement() + p.tags() + "@" + p.timeMillis(), new long[]{(Long) p.field("ballots"), (Long) p.field("branches_reporting")});
        }
        tally.getOutput().clear();
    }

    void advanceTo(long w) throws Exception {
        if (w <= watermark) return;
        watermark = w;
        branches.processWatermark(w);
        forwardDeltas();
        tally.processWatermark(w);
        collectPoints();
    }

    Map<String, long[]> run(List<BranchReport> arrivals, long horizonMillis, int restartAt, long seed) throws Exception {
        grid = new TurnoutGrid(Duration.ofSeconds(10), Duration.ofMillis(horizonMillis));
        written = new HashMap<>();
        quietFeed = new Random(seed);
        open(null, null);
        long maxSeen = Long.MIN_VALUE;
        for (int i = 0; i < arrivals.size(); i++) {
            if (i == restartAt) {
                OperatorSubtaskState branchState = branches.snapshot(1, 1);
                OperatorSubtaskState tallyState = tally.snapshot(1, 1);
                branches.close();
                tally.close();
                open(branchState, tallyState);
            }
            BranchReport report = arrivals.get(i);
            branches.processElement(report, report.eventTime);
            forwardDeltas();
            maxSeen = Math.max(maxSeen, report.eventTime);
            advanceTo(maxSeen - 5_001);
            if (quietFeed.nextInt(15) == 0) advanceTo(maxSeen + quietFeed.nextInt(200_000)); // the feed went quiet
        }
        advanceTo(Long.MAX_VALUE);
        assertEquals(0, tally.numEventTimeTimers(), "no timers left at the end of input");
        branches.close();
        tally.close();
        return written;
    }

    /** The naive recount: per branch the highest sequence (first seen wins) at or before t. */
    static long[] truth(List<BranchReport> arrivals, String election, String constituency, long t) {
        long ballots = 0, reporting = 0;
        for (String[] branch : BRANCHES) {
            if (!branch[1].equals(constituency)) continue;
            Map<Long, BranchReport> firstSeen = new LinkedHashMap<>();
            for (BranchReport r : arrivals) {
                if (r.election.equals(election) && r.branchId.equals(branch[0])) firstSeen.putIfAbsent(r.sequence, r);
            }
            BranchReport best = null;
            for (BranchReport r : firstSeen.values()) {
                if (r.eventTime <= t && (best == null || r.sequence > best.sequence)) best = r;
            }
            if (best != null) {
                ballots += best.ballotsCast;
                reporting++;
            }
        }
        return new long[]{ballots, reporting};
    }

    static List<BranchReport> morning(Random random) {
        List<BranchReport> all = new ArrayList<>();
        for (String election : ELECTIONS) {
            if (election.equals("r2") && random.nextInt(3) == 0) continue;
            for (String[] branch : BRANCHES) {
                if (random.nextInt(6) == 0) continue;
                int reports = 1 + random.nextInt(8);
                long ballots = 0;
                for (int seq = 1; seq <= reports; seq++) {
                    ballots += random.nextInt(30);
                    long t = POLLS_OPEN_MILLIS + seq * 40_000L + (random.nextInt(4) == 0 ? -random.nextInt(90_000) : random.nextInt(15_000));
                    if (random.nextInt(6) == 0) t = POLLS_OPEN_MILLIS + seq * 40_000L;
                    all.add(new BranchReport(election, branch[0], branch[1], seq, ballots, t));
                }
            }
        }
        if (all.isEmpty()) all.add(new BranchReport("r1", "a1", "A", 1, 1, POLLS_OPEN_MILLIS));
        all.sort(Comparator.comparingLong(r -> r.eventTime));
        for (int i = 0; i < all.size(); i++) Collections.swap(all, i, Math.min(all.size() - 1, i + random.nextInt(3)));
        for (int k = random.nextInt(4); k > 0; k--) { // very late
            BranchReport late = all.remove(random.nextInt(all.size()));
            all.add(random.nextInt(all.size() + 1), late);
        }
        for (int k = random.nextInt(4); k > 0; k--) { // duplicates, sometimes with another clock reading
            BranchReport r = all.get(random.nextInt(all.size()));
            long time = random.nextBoolean() ? r.eventTime : r.eventTime - random.nextInt(60_000);
            all.add(random.nextInt(all.size() + 1), new BranchReport(r.election, r.branchId, r.constituencyId, r.sequence, r.ballotsCast, time));
        }
        return all;
    }

    /** Checks every written point of each election whose instant is within `window` of its last point. */
    static void assertPointsEqualTheTruth(List<BranchReport> arrivals, Map<String, long[]> points, long window, String context) {
        for (String election : ELECTIONS) {
            long last = Long.MIN_VALUE;
            for (String key : points.keySet()) {
                if (key.startsWith("national_turnout{election=" + election + "}")) last = Math.max(last, instantOf(key));
            }
            if (last == Long.MIN_VALUE) continue;
            for (Map.Entry<String, long[]> point : points.entrySet()) {
                String key = point.getKey();
                if (!key.contains("election=" + election + "}") && !key.contains("election=" + election + ",")) continue;
                long t = instantOf(key);
                if (t < last - window) continue;
                long[] expected = new long[2];
                for (Constituency c : CATALOG.election(election).orElseThrow().constituencies()) {
                    boolean counts = key.startsWith("national")
                            || (key.startsWith("province") && key.contains("province=" + c.province() + "}"))
                            || (key.startsWith("constituency") && key.contains("constituency=" + c.id() + ","));
                    if (!counts) continue;
                    long[] truth = truth(arrivals, election, c.id(), t);
                    expected[0] += truth[0];
                    expected[1] += truth[1];
                }
                assertArrayEquals(expected, point.getValue(), context + ": " + key);
            }
        }
    }

    static long instantOf(String key) {
        return Long.parseLong(key.substring(key.indexOf('@') + 1));
    }

    @Test
    void withADayLongHorizonEveryPointEqualsTheRecount() throws Exception {
        for (int trial = 0; trial < 300; trial++) {
            List<BranchReport> arrivals = morning(new Random(trial));
            assertPointsEqualTheTruth(arrivals, run(arrivals, Duration.ofDays(1).toMillis(), -1, trial), Long.MAX_VALUE, "trial " + trial);
        }
    }

    @Test
    void withAShortHorizonTheRecentPointsEqualTheRecountAndARestartChangesNothing() throws Exception {
        long horizon = 30_000;
        for (int trial = 0; trial < 300; trial++) {
            List<BranchReport> arrivals = morning(new Random(1_000 + trial));
            assertPointsEqualTheTruth(arrivals, run(arrivals, horizon, -1, trial), horizon, "trial " + trial);
            assertPointsEqualTheTruth(arrivals, run(arrivals, horizon, arrivals.size() / 2, trial), horizon, "restarted trial " + trial);
        }
    }

    @Test
    void aBacklogAfterAQuietFeedStillCountsInPointsWrittenForTheFirstTime() throws Exception {
        List<BranchReport> arrivals = List.of(
                new BranchReport("r1", "a1", "A", 1, 10, POLLS_OPEN_MILLIS),
                new BranchReport("r1", "a1", "A", 3, 30, POLLS_OPEN_MILLIS + 300_000),
                new BranchReport("r1", "a1", "A", 2, 20, POLLS_OPEN_MILLIS + 120_000));
        grid = new TurnoutGrid(Duration.ofSeconds(10), Duration.ofMinutes(10));
        written = new HashMap<>();
        open(null, null);
        branches.processElement(arrivals.get(0), arrivals.get(0).eventTime);
        forwardDeltas();
        advanceTo(POLLS_OPEN_MILLIS);
        advanceTo(POLLS_OPEN_MILLIS + 1_200_000); // 20 quiet minutes: the watermark moved on
        for (BranchReport r : arrivals.subList(1, 3)) {
            branches.processElement(r, r.eventTime);
            forwardDeltas();
        }
        advanceTo(Long.MAX_VALUE);
        assertArrayEquals(new long[]{20, 1}, written.get("constituency_turnout{constituency=A, election=r1, province=P1}@" + (POLLS_OPEN_MILLIS + 180_000)));
        assertArrayEquals(new long[]{30, 1}, written.get("constituency_turnout{constituency=A, election=r1, province=P1}@" + (POLLS_OPEN_MILLIS + 300_000)));
    }

    @Test
    void stateIsStoredWithFlinkPojoSerializersNotKryo() {
        for (Class<?> type : List.of(ConstituencyTally.class, ElectionProgress.class, BranchDelta.class, BranchReport.class)) {
            assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(type), type.getSimpleName());
        }
        assertInstanceOf(CompactStateSerializer.Info.class, TypeInformation.of(BranchHistory.class), "its own compact serializer");
    }
}
