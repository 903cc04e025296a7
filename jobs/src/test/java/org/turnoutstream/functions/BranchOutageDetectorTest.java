package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.functions.BranchStatusChange.Transition;
import org.turnoutstream.testing.NoGenericTypes;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.points.InfluxPoint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.functions.OutageFixtures.*;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;
import static org.turnoutstream.testing.ElectionDayFixtures.karajBranch;

class BranchOutageDetectorTest {
    static final Duration BOUND = Duration.ofSeconds(5);

    KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchStatusChange> harness;

    void start(BranchOutageDetector detector) throws Exception {
        harness = NoGenericTypes.forKeyedProcessFunction(detector, BranchSignal::branchKey, Types.STRING);
    }

    void start() throws Exception {
        start(new BranchOutageDetector(HeartbeatTimeouts.defaults()));
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) harness.close();
    }

    void send(BranchSignal... signals) throws Exception {
        for (BranchSignal s : signals) harness.processElement(s, s.heardAt);
    }

    List<BranchStatusChange> watermark(long time) throws Exception {
        harness.processWatermark(time);
        return drain();
    }

    List<BranchStatusChange> drain() {
        List<BranchStatusChange> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    static BranchStatusChange change(int branch, long time, Transition transition, Long downSince, AlertReason reason) {
        boolean open = transition != Transition.CLOSED;
        boolean up = transition == Transition.OPENED || transition == Transition.UP;
        return new BranchStatusChange(ELECTION, karajBranch(branch), KARAJ, time, transition, up, open, downSince, reason);
    }

    @Test
    void aHeartbeatGapIsAnOutageSinceTheLastHeartbeat() throws Exception {
        start();
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)), heartbeat(17, at(0, 20)));
        assertEquals(List.of(change(17, at(0, 0), Transition.OPENED, null, null)), watermark(at(1, 0)));

        // nothing after 08:00:20: at 08:01:20 (60 s of silence) the watermark finds it down since 08:00:20
        assertEquals(List.of(), watermark(at(1, 20) - 1), "exactly 60 s of silence is not yet an outage");
        assertEquals(List.of(change(17, at(1, 20), Transition.DOWN, at(0, 20), AlertReason.HEARTBEAT_TIMEOUT)), watermark(at(1, 20)));

        send(heartbeat(17, at(4, 0)));
        List<BranchStatusChange> back = watermark(at(4, 0));
        assertEquals(List.of(change(17, at(4, 0), Transition.UP, at(0, 20), AlertReason.HEARTBEAT)), back);

        BranchAlert started = change(17, at(1, 20), Transition.DOWN, at(0, 20), AlertReason.HEARTBEAT_TIMEOUT).alert().orElseThrow();
        assertEquals(AlertKind.OUTAGE_STARTED, started.getKind());
        assertEquals(Instant.ofEpochMilli(at(0, 20)), started.getStartedAt());
        assertNull(started.getEndedAt());
        BranchAlert ended = back.get(0).alert().orElseThrow();
        assertEquals(AlertKind.OUTAGE_ENDED, ended.getKind());
        assertEquals(Instant.ofEpochMilli(at(0, 20)), ended.getStartedAt());
        assertEquals(Instant.ofEpochMilli(at(4, 0)), ended.getEndedAt());
        assertEquals(karajBranch(17), ended.getBranchId());
    }

    /**
     * The gateway buffers while its link is down and delivers everything on recovery: the LINK_DOWN it logged,
     * the reports taken meanwhile, the LINK_UP. Liveness is when the centre heard them, so the outage lasts
     * until the recovery, not until the first buffered report's own time.
     */
    @Test
    void reportsBufferedDuringAnOutageAreHeardAtTheRecovery() throws Exception {
        start();
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)), heartbeat(17, at(0, 20)));
        watermark(at(1, 0));
        assertEquals(List.of(change(17, at(1, 20), Transition.DOWN, at(0, 20), AlertReason.HEARTBEAT_TIMEOUT)), watermark(at(2, 0)));

        long recovery = at(6, 0);
        send(linkDown(17, at(0, 25)).heardAt(recovery), reportSignal(17, 4, 40, at(3, 0)).heardAt(recovery),
                reportSignal(17, 5, 55, at(5, 0)).heardAt(recovery), linkUp(17, recovery));
        assertEquals(List.of(), watermark(recovery - 1), "buffered reports prove nothing before they are heard");
        assertEquals(List.of(change(17, recovery, Transition.UP, at(0, 20), AlertReason.REPORT)), watermark(recovery));
    }

    /** An outage shorter than the heartbeat timeout is only known from the LINK_DOWN delivered on recovery: down since its own time. */
    @Test
    void aShortOutageLearntOnRecoveryStartsWhenTheBranchSaysItDid() throws Exception {
        start();
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)), linkDown(17, at(0, 15)).heardAt(at(0, 45)), linkUp(17, at(0, 45)));
        assertEquals(List.of(
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(0, 45), Transition.DOWN, at(0, 15), AlertReason.LINK_DOWN),
                change(17, at(0, 45), Transition.UP, at(0, 15), AlertReason.LINK_UP)), watermark(at(1, 0)));
    }

    @Test
    void aSignalExactlyAtTheDeadlineIsInTime() throws Exception {
        start();
        send(opened(17, at(0, 0)), heartbeat(17, at(1, 0)));
        assertEquals(List.of(change(17, at(0, 0), Transition.OPENED, null, null)), watermark(at(1, 30)));
    }

    @Test
    void anExplicitLinkDownAndLinkUp() throws Exception {
        start();
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)), linkDown(17, at(0, 15)), linkUp(17, at(0, 45)), heartbeat(17, at(0, 55)));
        assertEquals(List.of(
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(0, 15), Transition.DOWN, at(0, 15), AlertReason.LINK_DOWN),
                change(17, at(0, 45), Transition.UP, at(0, 15), AlertReason.LINK_UP)), watermark(at(1, 0)));
        assertEquals(List.of(change(17, at(1, 55), Transition.DOWN, at(0, 55), AlertReason.HEARTBEAT_TIMEOUT)), watermark(at(2, 0)),
                "after LINK_UP the heartbeat timeout runs again");
    }

    @Test
    void aReportIsProofOfLife() throws Exception {
        start();
        send(opened(17, at(0, 0)), linkDown(17, at(0, 5)), reportSignal(17, 1, 12, at(0, 40)));
        assertEquals(List.of(
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(0, 5), Transition.DOWN, at(0, 5), AlertReason.LINK_DOWN),
                change(17, at(0, 40), Transition.UP, at(0, 5), AlertReason.REPORT)), watermark(at(1, 0)));
    }

    @Test
    void aSatelliteLinkGetsItsLongerTimeout() throws Exception {
        start(new BranchOutageDetector(HeartbeatTimeouts.of(Duration.ofSeconds(60)).with(LinkType.SATELLITE, Duration.ofMinutes(3))));
        send(BranchSignal.of(connectivity(17, ConnectivityKind.OPENED, at(0, 0), LinkType.FIBER)),
                BranchSignal.of(connectivity(18, ConnectivityKind.OPENED, at(0, 0), LinkType.SATELLITE)));
        watermark(at(0, 0));
        assertEquals(List.of(change(17, at(1, 0), Transition.DOWN, at(0, 0), AlertReason.HEARTBEAT_TIMEOUT)), watermark(at(2, 0)),
                "fibre: down after 60 s; the satellite branch is still in time");
        assertEquals(List.of(change(18, at(3, 0), Transition.DOWN, at(0, 0), AlertReason.HEARTBEAT_TIMEOUT)), watermark(at(3, 0)));
    }

    @Test
    void aBranchThatFallsSilentAfterOpeningGoesDownOnTheOthersWatermark() throws Exception {
        start();
        send(opened(17, at(0, 0)));
        // branch 17 never says another word; only branch 18 keeps the watermark moving
        List<BranchStatusChange> seen = new ArrayList<>();
        for (int s = 0; s <= 120; s += 10) {
            send(heartbeat(18, at(0, s)));
            seen.addAll(watermark(at(0, s) - BOUND.toMillis() - 1));
        }
        assertEquals(List.of(change(17, at(1, 0), Transition.DOWN, at(0, 0), AlertReason.HEARTBEAT_TIMEOUT)),
                seen.stream().filter(c -> c.branchId.equals(karajBranch(17)) && c.transition != Transition.OPENED).collect(Collectors.toList()));
    }

    /** Three branches: one talks all day, one falls silent for a while, one has an explicit outage; all close. */
    static List<BranchSignal> aDayOfThreeBranches() {
        List<BranchSignal> day = new ArrayList<>();
        for (int branch = 17; branch <= 19; branch++) {
            day.add(opened(branch, at(0, 0)));
            for (int s = 10; s <= 600; s += 10) {
                if (branch == 18 && s > 100 && s < 300) continue;            // silent: heartbeat timeout
                if (branch == 19 && s == 200) day.add(linkDown(19, at(0, s)));
                else if (branch == 19 && s == 260) day.add(linkUp(19, at(0, s)));
                else day.add(heartbeat(branch, at(0, s)));
            }
            day.add(reportSignal(branch, 1, 40, at(5, 0)));
            day.add(closed(branch, at(10, 0)));
        }
        day.sort((a, b) -> Long.compare(a.eventTime, b.eventTime));
        return day;
    }

    @Test
    void reorderedSignalsWithinTheBoundGiveTheSameChangesAsInOrder() throws Exception {
        List<BranchSignal> day = aDayOfThreeBranches();
        List<BranchStatusChange> inOrder = play(day);

        Random random = new Random(20240301);
        for (int round = 0; round < 5; round++) {
            // shuffle within 4 s windows: never more than the 5 s bound apart
            List<BranchSignal> shuffled = new ArrayList<>(day);
            for (int i = 0; i < shuffled.size(); i++) {
                int j = i + random.nextInt(Math.min(6, shuffled.size() - i));
                if (Math.abs(shuffled.get(j).eventTime - shuffled.get(i).eventTime) < 4_000) Collections.swap(shuffled, i, j);
            }
            assertEquals(inOrder, play(shuffled), "round " + round);
        }
        assertTrue(inOrder.contains(change(18, at(2, 40), Transition.DOWN, at(1, 40), AlertReason.HEARTBEAT_TIMEOUT)), inOrder.toString());
        assertTrue(inOrder.contains(change(19, at(3, 20), Transition.DOWN, at(3, 20), AlertReason.LINK_DOWN)), inOrder.toString());
    }

    static final long POLLS_CLOSE = POLLS_OPEN_MILLIS + 12 * 60 * MINUTE;

    static BranchOutageDetector withPollingHours() {
        return new BranchOutageDetector(HeartbeatTimeouts.defaults(), Duration.ofMinutes(10),
                PollingHours.of(Map.of(ELECTION, Instant.ofEpochMilli(POLLS_CLOSE)), Duration.ofHours(1)));
    }

    /** The three branches, plus one that falls silent for good (down on the timeout, closed by the end of the election). */
    static List<BranchSignal> aDayWithABranchThatNeverCloses() {
        List<BranchSignal> day = new ArrayList<>(aDayOfThreeBranches());
        day.add(opened(20, at(0, 0)));
        for (int s = 10; s <= 180; s += 10) day.add(heartbeat(20, at(0, s)));
        day.add(linkDown(20, at(2, 0)).heardAt(at(4, 30)));                  // heard after its deadline (08:04:00) passed
        day.add(linkUp(20, at(4, 40)));
        day.sort((a, b) -> Long.compare(a.heardAt, b.heardAt));
        return day;
    }

    List<BranchStatusChange> stepwise(List<BranchSignal> day) throws Exception {
        return play(day, withPollingHours());
    }

    /** Changes heard at the end of a BATCH key: the heartbeat deadlines and the end of the election are still judged. */
    @Test
    void inBatchModeTheSameChangesAsStreaming() throws Exception {
        List<BranchSignal> day = aDayWithABranchThatNeverCloses();
        List<BranchStatusChange> streaming = stepwise(day);
        assertTrue(streaming.contains(change(18, at(2, 40), Transition.DOWN, at(1, 40), AlertReason.HEARTBEAT_TIMEOUT)), streaming.toString());
        assertTrue(streaming.contains(change(20, at(4, 0), Transition.DOWN, at(3, 0), AlertReason.HEARTBEAT_TIMEOUT)), streaming.toString());
        assertTrue(streaming.contains(change(20, at(4, 40), Transition.UP, at(3, 0), AlertReason.LINK_UP)), streaming.toString());
        assertTrue(streaming.contains(change(20, at(5, 40), Transition.DOWN, at(4, 40), AlertReason.HEARTBEAT_TIMEOUT)), streaming.toString());
        assertTrue(streaming.contains(change(20, POLLS_CLOSE + 60 * MINUTE, Transition.CLOSED, at(4, 40), AlertReason.POLLS_CLOSED)), streaming.toString());

        harness.close();
        harness = BatchModeHarness.run(withPollingHours(), BranchSignal::branchKey, s -> s.heardAt, day);
        assertEquals(streaming, byBranch(drain()));
    }

    /** A bounded run whose watermark lagged: everything is buffered when the watermark jumps to the end. */
    @Test
    void aWatermarkThatJumpsToTheEndGivesTheSameChangesAsStepwise() throws Exception {
        List<BranchSignal> day = aDayWithABranchThatNeverCloses();
        List<BranchStatusChange> stepwise = stepwise(day);
        harness.close();
        start(withPollingHours());
        for (BranchSignal s : day) send(s);
        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(stepwise, byBranch(drain()));
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    /** Plays signals like a source with a 5 s bounded-out-of-orderness watermark after every record. */
    List<BranchStatusChange> play(List<BranchSignal> signals) throws Exception {
        return play(signals, new BranchOutageDetector(HeartbeatTimeouts.defaults()));
    }

    List<BranchStatusChange> play(List<BranchSignal> signals, BranchOutageDetector detector) throws Exception {
        if (harness != null) harness.close();
        start(detector);
        long maxSeen = Long.MIN_VALUE;
        for (BranchSignal s : signals) {
            send(s);
            maxSeen = Math.max(maxSeen, s.heardAt);
            harness.processWatermark(maxSeen - BOUND.toMillis() - 1);
        }
        harness.processWatermark(Long.MAX_VALUE);
        List<BranchStatusChange> out = byBranch(drain());
        assertEquals(0, harness.numKeyedStateEntries(), "every branch closed");
        assertEquals(0, harness.numEventTimeTimers());
        return out;
    }

    /**
     * Each branch's changes in the order they were emitted; branches after one another. (Timers of different
     * keys at the same instant fire in no particular order, and nothing downstream relies on it.)
     */
    static List<BranchStatusChange> byBranch(List<BranchStatusChange> changes) {
        List<BranchStatusChange> sorted = new ArrayList<>(changes);
        sorted.sort(java.util.Comparator.comparing((BranchStatusChange c) -> c.branchId));
        return sorted;
    }

    @Test
    void aSignalBehindTheWatermarkIsAppliedAtOnce() throws Exception {
        start();
        send(opened(17, at(0, 0)));
        watermark(at(2, 0));
        drain();
        // down since 08:00:00 (detected at 08:01:00); a heartbeat from 08:01:30 arrives after the watermark passed 08:02
        send(heartbeat(17, at(1, 30)));
        assertEquals(List.of(change(17, at(1, 30), Transition.UP, at(0, 0), AlertReason.HEARTBEAT)), drain());
        // a stale heartbeat from before the outage was detected changes nothing
        send(linkDown(17, at(2, 10)));
        watermark(at(2, 20));
        send(heartbeat(17, at(1, 40)));
        assertEquals(List.of(), drain());
    }

    @Test
    void closedEndsTheOutageAndClearsStateAndTimers() throws Exception {
        start(new BranchOutageDetector(HeartbeatTimeouts.defaults(), Duration.ofMinutes(10), PollingHours.none()));
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)), heartbeat(17, at(0, 20)));
        watermark(at(5, 0));
        drain();
        long close = POLLS_OPEN_MILLIS + 12 * 60 * MINUTE;
        send(heartbeat(17, close + 10 * SECOND), closed(17, close));
        assertEquals(List.of(change(17, close, Transition.CLOSED, at(0, 20), AlertReason.CLOSED)), watermark(close + MINUTE),
                "the outage open at close ends with it; the heartbeat after CLOSED is ignored");
        BranchAlert ended = change(17, close, Transition.CLOSED, at(0, 20), AlertReason.CLOSED).alert().orElseThrow();
        assertEquals(AlertKind.OUTAGE_ENDED, ended.getKind());
        assertEquals(Instant.ofEpochMilli(close), ended.getEndedAt());

        send(heartbeat(17, close + 2 * MINUTE));
        assertEquals(List.of(), watermark(close + 10 * MINUTE), "signals after CLOSED are ignored");
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void closedWithoutRetentionClearsAtOnce() throws Exception {
        start(new BranchOutageDetector(HeartbeatTimeouts.defaults(), Duration.ZERO, PollingHours.none()));
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 30)), closed(17, at(0, 50)), heartbeat(17, at(0, 55)));
        assertEquals(List.of(
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(0, 50), Transition.CLOSED, null, AlertReason.CLOSED)), watermark(at(0, 50)));
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void theEndOfTheElectionClosesBranchesThatNeverSentClosed() throws Exception {
        long pollsClose = POLLS_OPEN_MILLIS + 12 * 60 * MINUTE;
        start(new BranchOutageDetector(HeartbeatTimeouts.defaults(), Duration.ofMinutes(10),
                PollingHours.of(Map.of(ELECTION, Instant.ofEpochMilli(pollsClose)), Duration.ofHours(1))));
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)));
        send(opened(18, at(0, 0)), linkDown(18, at(0, 30)));
        watermark(at(5, 0));
        drain();
        List<BranchStatusChange> end = byBranch(watermark(pollsClose + 60 * MINUTE));
        assertEquals(List.of(change(17, pollsClose + 60 * MINUTE, Transition.CLOSED, at(0, 10), AlertReason.POLLS_CLOSED),
                change(18, pollsClose + 60 * MINUTE, Transition.CLOSED, at(0, 30), AlertReason.POLLS_CLOSED)), end);
        BranchAlert ended = end.get(1).alert().orElseThrow();
        assertEquals(AlertReason.POLLS_CLOSED, ended.getReason(), "branch 18's outage ends with the polls");
        assertTrue(ended.getDetail().endsWith("ended by the polls closing (the branch never sent CLOSED)"), ended.getDetail());
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void branchStatusPointsCarryUpAndDownSince() throws Exception {
        InfluxPoint down = change(17, at(1, 20), Transition.DOWN, at(0, 20), AlertReason.HEARTBEAT_TIMEOUT).statusPoint();
        assertEquals(BranchStatusChange.BRANCH_STATUS, down.measurement());
        assertEquals(Map.of("election", ELECTION, "constituency", KARAJ, "branch", karajBranch(17)), down.tags());
        assertEquals(0L, down.field("up"));
        assertEquals(at(0, 20) / 1000, down.field("down_since_s"));
        assertEquals(at(1, 20), down.timeMillis());
        InfluxPoint up = change(17, at(4, 0), Transition.UP, at(0, 20), AlertReason.HEARTBEAT).statusPoint();
        assertEquals(1L, up.field("up"));
        assertEquals(0L, up.field("down_since_s"));
    }

    @Test
    void anOutageSurvivesARestartFromASnapshot() throws Exception {
        start();
        send(opened(17, at(0, 0)), heartbeat(17, at(0, 10)), linkDown(18, at(0, 30)));
        watermark(at(1, 30));
        send(heartbeat(18, at(1, 45)));      // buffered, not yet applied
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new BranchOutageDetector(HeartbeatTimeouts.defaults())),
                BranchSignal::branchKey, Types.STRING));
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        assertEquals(List.of(change(18, at(1, 45), Transition.UP, at(0, 30), AlertReason.HEARTBEAT)), watermark(at(2, 0)));
        send(closed(17, at(3, 0)), closed(18, at(3, 0)));
        assertEquals(List.of(change(17, at(3, 0), Transition.CLOSED, at(0, 10), AlertReason.CLOSED),
                change(18, at(2, 45), Transition.DOWN, at(1, 45), AlertReason.HEARTBEAT_TIMEOUT),
                change(18, at(3, 0), Transition.CLOSED, at(1, 45), AlertReason.CLOSED)), byBranch(watermark(at(30, 0))));
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void stateTypesAreFlinkPojosNotKryo() {
        for (Class<?> type : List.of(BranchStatusChange.class, ConstituencyConnectivityState.class)) {
            assertTrue(org.apache.flink.api.common.typeinfo.TypeInformation.of(type) instanceof org.apache.flink.api.java.typeutils.PojoTypeInfo,
                    type.getSimpleName());
        }
        // the per-branch state and the signals have their own compact serializers (CompactStateSerializerTest)
        for (Class<?> type : List.of(BranchOutageState.class, IntegrityState.class, BranchSignal.class)) {
            assertTrue(org.apache.flink.api.common.typeinfo.TypeInformation.of(type) instanceof CompactStateSerializer.Info, type.getSimpleName());
        }
    }

    @Test
    void alertIdsAreTheSameInEveryRun() throws Exception {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (List<String> ids : List.of(first, second)) {
            if (harness != null) harness.close();
            start();
            send(opened(17, at(0, 0)), linkDown(17, at(0, 20)), heartbeat(17, at(1, 0)), closed(17, at(5, 0)));
            for (BranchStatusChange c : watermark(Long.MAX_VALUE)) c.alert().ifPresent(a -> ids.add(a.getAlertId()));
        }
        // link down 08:00:20-08:01:00, silent from 08:01:00 (down at 08:02:00) until the close at 08:05:00
        assertEquals(4, first.size(), first.toString());
        assertEquals(first, second);
        assertEquals(4, first.stream().distinct().count(), "two outages, each started and ended: four alerts");
    }
}
