package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.functions.BranchStatusChange.Transition;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.turnoutstream.functions.OutageFixtures.*;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;
import static org.turnoutstream.testing.ElectionDayFixtures.karajBranch;

class ConstituencyConnectivityTest {
    KeyedOneInputStreamOperatorTestHarness<String, BranchStatusChange, BranchAlert> harness;

    static ElectionCatalog catalog() {
        Election.Builder election = Election.builder(ELECTION)
                .constituency(KARAJ, "Karaj", "Alborz", 10_000)
                .constituency("fardis", "Fardis", "Alborz", 5_000);
        for (int b = 17; b <= 21; b++) election.branch(karajBranch(b), KARAJ, "Karaj " + b);
        election.branch("alb-fardis-0001", "fardis", "Fardis 1");
        return ElectionCatalog.of(election.build());
    }

    @BeforeEach
    void open() throws Exception {
        harness = NoGenericTypes.forKeyedProcessFunction(
                new ConstituencyConnectivity(catalog(), new TurnoutGrid(Duration.ofSeconds(10), Duration.ofMinutes(10)),
                        ConnectivityThresholds.defaults()),
                BranchStatusChange::constituencyKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static BranchStatusChange opened(int branch, long time) {
        return new BranchStatusChange(ELECTION, karajBranch(branch), KARAJ, time, Transition.OPENED, true, true, null, null);
    }

    static BranchStatusChange down(int branch, long time, long since) {
        return new BranchStatusChange(ELECTION, karajBranch(branch), KARAJ, time, Transition.DOWN, false, true, since, AlertReason.HEARTBEAT_TIMEOUT);
    }

    static BranchStatusChange up(int branch, long time, long since) {
        return new BranchStatusChange(ELECTION, karajBranch(branch), KARAJ, time, Transition.UP, true, true, since, AlertReason.HEARTBEAT);
    }

    static BranchStatusChange closed(int branch, long time, Long since) {
        return new BranchStatusChange(ELECTION, karajBranch(branch), KARAJ, time, Transition.CLOSED, false, false, since, AlertReason.CLOSED);
    }

    void send(BranchStatusChange... changes) throws Exception {
        for (BranchStatusChange c : changes) harness.processElement(c, c.time);
    }

    List<BranchAlert> alerts() {
        List<BranchAlert> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    List<InfluxPoint> points() {
        var queue = harness.getSideOutput(ConstituencyConnectivity.POINTS);
        if (queue == null) return List.of();
        List<InfluxPoint> out = queue.stream().map(StreamRecord::getValue).collect(Collectors.toList());
        queue.clear();
        return out;
    }

    void openFive() throws Exception {
        for (int b = 17; b <= 21; b++) send(opened(b, at(0, 0)));
    }

    @Test
    void degradedOnceWhenMoreThanAThirdAreDownAndRecoveredOnce() throws Exception {
        openFive();
        send(down(17, at(1, 0), at(0, 0)));                  // 1 of 5: 20 %
        send(down(18, at(2, 0), at(1, 0)));                  // 2 of 5: 40 % > 30 %
        send(down(19, at(3, 0), at(2, 0)));                  // 3 of 5: still degraded, no second alert
        send(up(17, at(5, 0), at(0, 0)));                    // 2 of 5
        send(up(18, at(6, 0), at(1, 0)));                    // 1 of 5: recovered
        harness.processWatermark(at(10, 0));
        List<BranchAlert> alerts = alerts();
        assertEquals(List.of(AlertKind.CONSTITUENCY_DEGRADED, AlertKind.CONSTITUENCY_RECOVERED),
                alerts.stream().map(BranchAlert::getKind).collect(Collectors.toList()));

        BranchAlert degraded = alerts.get(0);
        assertEquals(AlertReason.SHARE_DOWN, degraded.getReason());
        assertNull(degraded.getBranchId());
        assertEquals(KARAJ, degraded.getConstituencyId());
        assertEquals(Instant.ofEpochMilli(at(2, 0)), degraded.getStartedAt());
        BranchAlert recovered = alerts.get(1);
        assertEquals(Instant.ofEpochMilli(at(2, 0)), recovered.getStartedAt());
        assertEquals(Instant.ofEpochMilli(at(6, 0)), recovered.getEndedAt());
        assertEquals(AlertIds.of(ELECTION, AlertKind.CONSTITUENCY_DEGRADED, "constituency:" + KARAJ, at(2, 0)), degraded.getAlertId(),
                "the same input gives the same id in every run");
    }

    @Test
    void aSmallConstituencyNeverPagesHq() throws Exception {
        send(opened(17, at(0, 0)), opened(18, at(0, 0)));
        send(down(17, at(1, 0), at(0, 0)), down(18, at(1, 0), at(0, 0)));
        harness.processWatermark(at(5, 0));
        assertEquals(List.of(), alerts(), "2 open branches: below the minimum of 3");
    }

    @Test
    void changesOfOneInstantAreCountedTogetherWhateverTheirOrder() throws Exception {
        for (boolean downFirst : new boolean[] {true, false}) {
            close();
            open();
            openFive();
            send(down(17, at(1, 0), at(0, 0)));
            // at 08:02 branch 18 goes down just as 17 comes back: one of five down before and after
            if (downFirst) send(down(18, at(2, 0), at(1, 0)), up(17, at(2, 0), at(0, 0)));
            else send(up(17, at(2, 0), at(0, 0)), down(18, at(2, 0), at(1, 0)));
            harness.processWatermark(at(5, 0));
            assertEquals(List.of(), alerts(), "downFirst=" + downFirst);
        }
    }

    @Test
    void connectivityPointsOnTheTurnoutGrid() throws Exception {
        openFive();
        send(down(17, at(1, 0), at(0, 20)));
        harness.processWatermark(at(1, 30));
        List<InfluxPoint> points = points();
        assertEquals(10, points.size(), "08:00:00 .. 08:01:30 every 10 s");
        InfluxPoint last = points.get(points.size() - 1);
        assertEquals(ConstituencyConnectivity.MEASUREMENT, last.measurement());
        assertEquals(at(1, 30), last.timeMillis());
        assertEquals("Alborz", last.tag("province"));
        assertEquals(KARAJ, last.tag("constituency"));
        assertEquals(ELECTION, last.tag("election"));
        assertEquals(5L, last.field("branches_open"));
        assertEquals(4L, last.field("branches_up"));
        assertEquals(1L, last.field("branches_down"));
        assertEquals(70L, last.field("longest_outage_s"), "down since 08:00:20");
        assertEquals(0L, points.get(5).field("branches_down"), "08:00:50: not down yet");
    }

    @Test
    void stateAndTimersAreGoneOnceEveryBranchClosed() throws Exception {
        openFive();
        send(down(17, at(1, 0), at(0, 0)), down(18, at(1, 0), at(0, 0)));
        for (int b = 17; b <= 21; b++) send(closed(b, at(30, 0), b <= 18 ? at(0, 0) : null));
        harness.processWatermark(at(31, 0));
        List<BranchAlert> alerts = alerts();
        assertEquals(List.of(AlertKind.CONSTITUENCY_DEGRADED, AlertKind.CONSTITUENCY_RECOVERED),
                alerts.stream().map(BranchAlert::getKind).collect(Collectors.toList()), "closing ends the degradation");
        List<InfluxPoint> points = points();
        InfluxPoint last = points.get(points.size() - 1);
        assertEquals(at(30, 0), last.timeMillis(), "no points after the last branch closed");
        assertEquals(0L, last.field("branches_open"));
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void theEndOfInputStopsThePoints() throws Exception {
        openFive();
        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(1, points().size());
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void aWatermarkThatJumpsToTheEndStillAppliesEveryBufferedChange() throws Exception {
        long t0 = POLLS_OPEN_MILLIS;
        send(opened(17, t0), opened(18, t0), opened(19, t0),
                down(17, t0 + 2 * MINUTE, t0 + MINUTE), down(18, t0 + 2 * MINUTE, t0 + MINUTE),
                up(17, t0 + 4 * MINUTE, t0 + MINUTE), up(18, t0 + 4 * MINUTE, t0 + MINUTE));
        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(List.of(AlertKind.CONSTITUENCY_DEGRADED, AlertKind.CONSTITUENCY_RECOVERED),
                alerts().stream().map(BranchAlert::getKind).collect(Collectors.toList()));
        assertEquals(4 * 6 + 1, points().size(), "a point every 10 s up to the last change");
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    /**
     * A day of two constituencies: Karaj degrades and recovers, everyone closes, one branch opens again later and
     * closes again. (Every branch closes, as the end of the election makes them: a constituency still open at the end
     * of a BATCH key cannot know how far the other keys' input goes, so its points stop at its own last change.)
     */
    static List<BranchStatusChange> aDayOfChanges() {
        List<BranchStatusChange> day = new ArrayList<>();
        for (int b = 17; b <= 21; b++) day.add(opened(b, at(0, 0)));
        day.add(down(17, at(1, 0), at(0, 20)));
        day.add(down(18, at(1, 5), at(0, 5)));
        day.add(up(17, at(3, 0), at(0, 20)));
        for (int b = 17; b <= 21; b++) day.add(closed(b, at(5, 0), b == 18 ? at(0, 5) : null));
        day.add(opened(19, at(8, 3)));
        day.add(down(19, at(9, 0), at(8, 3)));
        day.add(closed(19, at(9, 30), at(8, 3)));
        day.add(new BranchStatusChange(ELECTION, "alb-fardis-0001", "fardis", at(0, 7), Transition.OPENED, true, true, null, null));
        day.add(new BranchStatusChange(ELECTION, "alb-fardis-0001", "fardis", at(2, 0), Transition.DOWN, false, true, at(1, 0),
                AlertReason.HEARTBEAT_TIMEOUT));
        day.add(new BranchStatusChange(ELECTION, "alb-fardis-0001", "fardis", at(6, 0), Transition.CLOSED, false, false, at(1, 0),
                AlertReason.CLOSED));
        day.sort((a, b) -> Long.compare(a.time, b.time));
        return day;
    }

    static ConstituencyConnectivity connectivity() {
        return new ConstituencyConnectivity(catalog(), new TurnoutGrid(Duration.ofSeconds(10), Duration.ofMinutes(10)),
                ConnectivityThresholds.defaults());
    }

    /** Points of each constituency in time order, constituencies one after the other. */
    static List<InfluxPoint> byConstituency(List<InfluxPoint> points) {
        List<InfluxPoint> sorted = new ArrayList<>(points);
        sorted.sort(java.util.Comparator.comparing((InfluxPoint p) -> p.tag("constituency")).thenComparingLong(InfluxPoint::timeMillis));
        return sorted;
    }

    /** The points and alerts with a watermark 1 ms behind each change, then the end of input. */
    List<Object> stepwise(List<BranchStatusChange> day) throws Exception {
        for (BranchStatusChange c : day) {
            send(c);
            harness.processWatermark(c.time - 1);
        }
        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
        return List.of(alerts(), byConstituency(points()));
    }

    @Test
    void inBatchModeTheSamePointsAndAlertsAsStreaming() throws Exception {
        List<BranchStatusChange> day = aDayOfChanges();
        List<Object> streaming = stepwise(day);
        @SuppressWarnings("unchecked") List<InfluxPoint> points = (List<InfluxPoint>) streaming.get(1);
        assertEquals(List.of(AlertKind.CONSTITUENCY_DEGRADED, AlertKind.CONSTITUENCY_RECOVERED),
                ((List<?>) streaming.get(0)).stream().map(a -> ((BranchAlert) a).getKind()).collect(Collectors.toList()));
        long karaj = points.stream().filter(p -> p.tag("constituency").equals(KARAJ)).count();
        assertEquals(5 * 6 + 1 + 9, karaj, "08:00:00 .. 08:05:00, then again 08:08:10 .. 08:09:30");
        assertEquals(6 * 6, points.size() - karaj, "fardis: 08:00:10 .. 08:06:00");

        harness.close();
        harness = BatchModeHarness.run(connectivity(), BranchStatusChange::constituencyKey, c -> c.time, day);
        assertEquals(streaming, List.of(alerts(), byConstituency(points())));
    }

    @Test
    void aWatermarkThatJumpsToTheEndGivesTheSamePointsAsStepwise() throws Exception {
        List<BranchStatusChange> day = aDayOfChanges();
        List<Object> stepwise = stepwise(day);
        harness.close();
        open();
        send(day.toArray(new BranchStatusChange[0]));
        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(stepwise, List.of(alerts(), byConstituency(points())));
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }
}
