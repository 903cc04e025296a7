package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;
import static org.turnoutstream.testing.ElectionDayFixtures.ROUND_ONE;
import static org.turnoutstream.testing.ElectionDayFixtures.RUN_OFF;

class ElectionTallyTest {
    static final long TEN_SECONDS = 10_000;
    static final long TEN_SECONDS_LATER = POLLS_OPEN_MILLIS + TEN_SECONDS;
    static final long ONE_MINUTE_LATER = POLLS_OPEN_MILLIS + 60_000;

    static Election election(String id) {
        return Election.builder(id)
                .constituency("karaj", "Karaj", "Alborz", 1_000)
                .constituency("fardis", "Fardis", "Alborz", 500)
                .constituency("tehran", "Tehran", "Tehran", 2_000)
                .branch("karaj-0001", "karaj", "Karaj 1")
                .branch("karaj-0002", "karaj", "Karaj 2")
                .branch("fardis-0001", "fardis", "Fardis 1")
                .branch("tehran-0001", "tehran", "Tehran 1")
                .build();
    }

    KeyedOneInputStreamOperatorTestHarness<String, BranchDelta, InfluxPoint> harness;

    @BeforeEach
    void open() throws Exception {
        ElectionCatalog catalog = ElectionCatalog.of(election(ROUND_ONE), election(RUN_OFF));
        TurnoutGrid grid = new TurnoutGrid(Duration.ofSeconds(10), Duration.ofSeconds(30));
        harness = NoGenericTypes.forKeyedProcessFunction(new ElectionTally(catalog, grid), d -> d.election, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    void delta(String election, String constituency, long time, long ballots, int reporting) throws Exception {
        harness.processElement(new BranchDelta(election, constituency, time, ballots, reporting), time);
    }

    List<InfluxPoint> drain() {
        List<InfluxPoint> points = harness.extractOutputValues();
        harness.getOutput().clear();
        return points;
    }

    static InfluxPoint find(List<InfluxPoint> points, String measurement, String tag, String value, long time) {
        List<InfluxPoint> found = points.stream()
                .filter(p -> p.measurement().equals(measurement) && p.timeMillis() == time && (tag == null || value.equals(p.tag(tag))))
                .collect(Collectors.toList());
        assertEquals(1, found.size(), () -> "expected one " + measurement + " " + value + " at " + time + " in " + points);
        return found.get(0);
    }

    /** What InfluxDB held when the job started without state: Round one's points up to a minute after the polls opened. */
    static final long PUBLISHED_UP_TO = ONE_MINUTE_LATER;

    KeyedOneInputStreamOperatorTestHarness<String, BranchDelta, InfluxPoint> recount(boolean complete,
            org.apache.flink.runtime.checkpoint.OperatorSubtaskState restore) throws Exception {
        ElectionCatalog catalog = ElectionCatalog.of(election(ROUND_ONE), election(RUN_OFF));
        TurnoutGrid grid = new TurnoutGrid(Duration.ofSeconds(10), Duration.ofSeconds(30));
        KeyedOneInputStreamOperatorTestHarness<String, BranchDelta, InfluxPoint> h = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(
                        new ElectionTally(catalog, grid, java.util.Map.of(ROUND_ONE, PUBLISHED_UP_TO), complete)),
                (BranchDelta d) -> d.election, Types.STRING, 1, 1, 0));
        if (restore != null) h.initializeState(restore);
        h.open();
        harness.close();
        harness = h;
        return h;
    }

    /** Every point of the output as "measurement/area@time=ballots", in order. */
    static List<String> written(List<InfluxPoint> points) {
        return points.stream().map(p -> p.measurement() + "/" + (p.tag("constituency") != null ? p.tag("constituency")
                : p.tag("province") != null ? p.tag("province") : "nation") + "@" + (p.timeMillis() - POLLS_OPEN_MILLIS) / 1000 + "=" + p.field("ballots"))
                .collect(Collectors.toList());
    }

    /**
     * A job that starts without state while InfluxDB holds Round one up to minute 1 recounts from the start: the points up
     * to minute 1 are held back (a late report's correction would otherwise show first the value without it, lower than
     * the one InfluxDB holds) and written once, final, when the watermark passes minute 1 plus the horizon (30 s); later
     * instants, and an election without published points, are written as usual.
     */
    @Test
    void aRecountWithoutStateWritesThePublishedInstantsOnlyOnceFinal() throws Exception {
        recount(true, null);
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 3_000, 40, 1);
        delta(RUN_OFF, "karaj", POLLS_OPEN_MILLIS + 3_000, 7, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS + 50_000);
        List<InfluxPoint> out = drain();
        assertEquals(List.of(), written(of(ROUND_ONE, out)), "Round one's published instants are held back");
        assertTrue(written(of(RUN_OFF, out)).contains("national_turnout/nation@10=7"), "the run-off was never published: written at once");

        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 5_000, 5, 0);      // a late report for 0:10 (InfluxDB holds 45 there)
        delta(ROUND_ONE, "fardis", POLLS_OPEN_MILLIS + 75_000, 20, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS + 85_000);
        List<String> after = written(of(ROUND_ONE, drain()));
        assertTrue(after.contains("national_turnout/nation@70=45") && after.contains("national_turnout/nation@80=65"), after.toString());
        assertTrue(after.stream().allMatch(p -> Long.parseLong(p.replaceAll(".*@(\\d+)=.*", "$1")) > 60),
                "nothing up to minute 1 before it is final: " + after);

        harness.processWatermark(POLLS_OPEN_MILLIS + 90_000); // minute 1 + the horizon: final
        List<String> held = written(of(ROUND_ONE, drain()));
        assertEquals(6 * 6, held.size(), "instants 0:10 .. 1:00, each once: 3 constituencies, 2 provinces, the nation: " + held);
        for (long t = 10; t <= 60; t += 10) {
            assertTrue(held.contains("national_turnout/nation@" + t + "=45"), t + ": " + held);
            assertTrue(held.contains("constituency_turnout/karaj@" + t + "=45"), t + ": " + held);
            assertTrue(held.contains("province_turnout/Tehran@" + t + "=0"), t + ": " + held);
        }
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 95_000, 10, 0);
        harness.processWatermark(POLLS_OPEN_MILLIS + 100_000);
        assertTrue(written(of(ROUND_ONE, drain())).contains("national_turnout/nation@100=75"), "and then as usual");
    }

    /** A count that did not start from the beginning of the day (latest offsets, records Kafka no longer has) never writes them. */
    @Test
    void aPartialCountNeverWritesThePublishedInstants() throws Exception {
        recount(false, null);
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 3_000, 40, 1);
        delta(ROUND_ONE, "fardis", POLLS_OPEN_MILLIS + 75_000, 20, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS + 200_000);
        harness.processWatermark(Long.MAX_VALUE);
        List<String> out = written(of(ROUND_ONE, drain()));
        assertEquals(List.of("national_turnout/nation@70=40", "national_turnout/nation@80=60"),
                out.stream().filter(p -> p.startsWith("national")).collect(Collectors.toList()));
    }

    /**
     * The hold is in the election's state: a job restored from a checkpoint taken during the recount goes on holding; one
     * restored from a state that was never held (its own run's) holds nothing, whatever InfluxDB holds.
     */
    @Test
    void theHoldIsKeptInTheElectionsState() throws Exception {
        recount(true, null);
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 3_000, 40, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS + 50_000);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState during = harness.snapshot(1, 1);
        recount(true, during);
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 5_000, 5, 0);
        harness.processWatermark(POLLS_OPEN_MILLIS + 60_000);
        assertEquals(List.of(), written(of(ROUND_ONE, drain())));
        harness.processWatermark(POLLS_OPEN_MILLIS + 90_000);
        assertTrue(written(of(ROUND_ONE, drain())).contains("national_turnout/nation@10=45"));

        delta(RUN_OFF, "karaj", POLLS_OPEN_MILLIS + 3_000, 40, 1); // a run that was never held back ...
        harness.processWatermark(POLLS_OPEN_MILLIS + 95_000);
        drain();
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState own = harness.snapshot(2, 2);
        ElectionCatalog catalog = ElectionCatalog.of(election(ROUND_ONE), election(RUN_OFF));
        KeyedOneInputStreamOperatorTestHarness<String, BranchDelta, InfluxPoint> h = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new ElectionTally(catalog,
                        new TurnoutGrid(Duration.ofSeconds(10), Duration.ofSeconds(30)), java.util.Map.of(RUN_OFF, POLLS_OPEN_MILLIS + 60_000), true)),
                (BranchDelta d) -> d.election, Types.STRING, 1, 1, 0));
        h.initializeState(own);
        h.open();
        harness.close();
        harness = h;
        delta(RUN_OFF, "karaj", POLLS_OPEN_MILLIS + 98_000, 5, 0);   // ... restored, with InfluxDB holding it: written at once
        harness.processWatermark(POLLS_OPEN_MILLIS + 100_000);
        assertTrue(written(of(RUN_OFF, drain())).contains("national_turnout/nation@100=45"));
    }

    static List<InfluxPoint> of(String election, List<InfluxPoint> points) {
        return points.stream().filter(p -> election.equals(p.tag("election"))).collect(Collectors.toList());
    }

    @Test
    void everyConstituencyGetsAPointEvenBeforeItReports() throws Exception {
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 3_000, 40, 1);
        harness.processWatermark(TEN_SECONDS_LATER);
        List<InfluxPoint> points = drain();

        InfluxPoint karaj = find(points, TurnoutPoints.CONSTITUENCY, "constituency", "karaj", TEN_SECONDS_LATER);
        assertEquals(40L, karaj.field("ballots"));
        assertEquals(1L, karaj.field("branches_reporting"));
        assertEquals(2L, karaj.field("branches_total"));
        assertEquals(4.0, (Double) karaj.field("turnout_pct"), 1e-9);
        assertEquals("Alborz", karaj.tag("province"));

        InfluxPoint tehran = find(points, TurnoutPoints.CONSTITUENCY, "constituency", "tehran", TEN_SECONDS_LATER);
        assertEquals(0L, tehran.field("ballots"));
        assertEquals(0L, tehran.field("branches_reporting"));

        assertEquals(40L, find(points, TurnoutPoints.PROVINCE, "province", "Alborz", TEN_SECONDS_LATER).field("ballots"));
        assertEquals(1_500L, find(points, TurnoutPoints.PROVINCE, "province", "Alborz", TEN_SECONDS_LATER).field("eligible"));
        InfluxPoint nation = find(points, TurnoutPoints.NATIONAL, null, null, TEN_SECONDS_LATER);
        assertEquals(40L, nation.field("ballots"));
        assertEquals(3_500L, nation.field("eligible"));
        assertEquals(4L, nation.field("branches_total"));
        assertEquals(3 + 2 + 1, points.size());
    }

    @Test
    void quietInstantsCarryTheTotalsForwardUpToTheLastReport() throws Exception {
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS, 40, 1);
        delta(ROUND_ONE, "fardis", POLLS_OPEN_MILLIS + 35_000, 7, 1);
        harness.processWatermark(ONE_MINUTE_LATER);
        List<InfluxPoint> points = drain();
        // instants 0, 10, 20, 30, 40 s: 5 instants x 6 points; none after the last report's instant
        assertEquals(5 * 6, points.size());
        assertEquals(40L, find(points, TurnoutPoints.CONSTITUENCY, "constituency", "karaj", POLLS_OPEN_MILLIS + 30_000).field("ballots"));
        assertEquals(47L, find(points, TurnoutPoints.NATIONAL, null, null, POLLS_OPEN_MILLIS + 40_000).field("ballots"));

        harness.processWatermark(Long.MAX_VALUE);
        assertTrue(drain().isEmpty(), "the end of input writes nothing past the last report");
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void aLateReportRewritesThePointsItChangesWithTheSameTimestamps() throws Exception {
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS, 40, 1);
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 20_000, 60, 0);
        harness.processWatermark(POLLS_OPEN_MILLIS + 20_000);
        drain();

        // tehran's branch counted 15 ballots at 00:05 but the report arrives after 00:20 was written
        delta(ROUND_ONE, "tehran", POLLS_OPEN_MILLIS + 5_000, 15, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS + 20_001);
        List<InfluxPoint> corrections = drain();
        assertEquals(15L, find(corrections, TurnoutPoints.CONSTITUENCY, "constituency", "tehran", TEN_SECONDS_LATER).field("ballots"));
        assertEquals(15L, find(corrections, TurnoutPoints.CONSTITUENCY, "constituency", "tehran", POLLS_OPEN_MILLIS + 20_000).field("ballots"));
        assertEquals(40L + 15, find(corrections, TurnoutPoints.NATIONAL, null, null, TEN_SECONDS_LATER).field("ballots"));
        assertEquals(100L + 15, find(corrections, TurnoutPoints.NATIONAL, null, null, POLLS_OPEN_MILLIS + 20_000).field("ballots"));
        assertEquals(15L, find(corrections, TurnoutPoints.PROVINCE, "province", "Tehran", POLLS_OPEN_MILLIS + 20_000).field("ballots"));
        assertTrue(corrections.stream().noneMatch(p -> p.timeMillis() == POLLS_OPEN_MILLIS), "00:00 is before the report");
        assertTrue(corrections.stream().noneMatch(p -> "karaj".equals(p.tag("constituency"))), "karaj did not change");
    }

    @Test
    void aReportOlderThanTheHorizonStillCountsInEveryLaterPoint() throws Exception {
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS, 40, 1);
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 120_000, 50, 0);
        harness.processWatermark(POLLS_OPEN_MILLIS + 120_000);
        drain();

        delta(ROUND_ONE, "fardis", POLLS_OPEN_MILLIS + 1_000, 9, 1);  // 2 minutes late, horizon is 30 s
        harness.processWatermark(POLLS_OPEN_MILLIS + 120_001);
        List<InfluxPoint> corrections = drain();
        assertTrue(corrections.stream().allMatch(p -> p.timeMillis() >= POLLS_OPEN_MILLIS + 90_000), "older history is left as written");
        assertEquals(99L, find(corrections, TurnoutPoints.NATIONAL, null, null, POLLS_OPEN_MILLIS + 120_000).field("ballots"));

        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS + 130_000, 1, 0);
        harness.processWatermark(POLLS_OPEN_MILLIS + 130_000);
        assertEquals(100L, find(drain(), TurnoutPoints.NATIONAL, null, null, POLLS_OPEN_MILLIS + 130_000).field("ballots"));
    }

    @Test
    void electionsRunSideBySideWithoutMixing() throws Exception {
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS, 40, 1);
        delta(RUN_OFF, "karaj", POLLS_OPEN_MILLIS, 3, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS);
        List<InfluxPoint> points = drain();
        assertEquals(12, points.size());
        assertEquals(40L, points.stream().filter(p -> p.measurement().equals(TurnoutPoints.NATIONAL) && ROUND_ONE.equals(p.tag("election")))
                .findFirst().orElseThrow().field("ballots"));
        assertEquals(3L, points.stream().filter(p -> p.measurement().equals(TurnoutPoints.NATIONAL) && RUN_OFF.equals(p.tag("election")))
                .findFirst().orElseThrow().field("ballots"));
    }

    @Test
    void totalsSurviveARestartFromASnapshot() throws Exception {
        delta(ROUND_ONE, "karaj", POLLS_OPEN_MILLIS, 40, 1);
        harness.processWatermark(POLLS_OPEN_MILLIS);
        delta(ROUND_ONE, "karaj", TEN_SECONDS_LATER, 10, 0);
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        ElectionCatalog catalog = ElectionCatalog.of(election(ROUND_ONE), election(RUN_OFF));
        harness = NoGenericTypes.forKeyedProcessFunction(
                new ElectionTally(catalog, new TurnoutGrid(Duration.ofSeconds(10), Duration.ofSeconds(30))), d -> d.election, Types.STRING);
        // forKeyedProcessFunction opened a fresh harness; restore into a new one
        harness.close();
        harness = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(
                        new ElectionTally(catalog, new TurnoutGrid(Duration.ofSeconds(10), Duration.ofSeconds(30)))),
                d -> d.election, Types.STRING));
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        harness.processWatermark(TEN_SECONDS_LATER);
        assertEquals(50L, find(drain(), TurnoutPoints.NATIONAL, null, null, TEN_SECONDS_LATER).field("ballots"));
    }
}
