package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.testing.NoGenericTypes;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.points.InfluxPoint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.functions.OutageFixtures.*;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;
import static org.turnoutstream.testing.ElectionDayFixtures.karajBranch;

class IntegrityChecksTest {
    KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchAlert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = NoGenericTypes.forKeyedProcessFunction(new IntegrityChecks(IntegrityRules.defaults(), PollingHours.none()),
                BranchSignal::branchKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    long watermark = Long.MIN_VALUE;

    /** Sends the signals, then the watermark passes the last time they were heard (reports are judged by then). */
    List<BranchAlert> send(BranchSignal... signals) throws Exception {
        for (BranchSignal s : signals) {
            harness.processElement(s, s.heardAt);
            watermark = Math.max(watermark, s.heardAt);
        }
        harness.processWatermark(watermark);
        List<BranchAlert> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    static List<AlertKind> kinds(List<BranchAlert> alerts) {
        return alerts.stream().map(BranchAlert::getKind).collect(Collectors.toList());
    }

    @Test
    void anOrdinaryMorningRaisesNothing() throws Exception {
        assertEquals(List.of(), send(opened(17, at(0, 0)), reportSignal(17, 1, 12, at(5, 0)), heartbeat(17, at(5, 10)),
                reportSignal(17, 2, 30, at(10, 0)), reportSignal(17, 2, 30, at(10, 0)), reportSignal(17, 3, 55, at(15, 0))));
        assertEquals(1, harness.numKeyedStateEntries(), "one trail for the branch; heartbeats add nothing");
    }

    /** A signal of a branch whose clock read {@code ahead} past the skew when heard at {@code heard} (as the decoders make it). */
    static BranchSignal ahead(BranchSignal signal, long heard, Duration ahead) {
        return signal.heardAt(heard).clockAhead(ahead.toMillis());
    }

    @Test
    void aClockThatReadsAheadRaisesOneClockSkewPerEpisode() throws Exception {
        // branch 17's gateway clock runs 5 minutes fast from 10:10 (its reports and heartbeats say 10:15 when heard at 10:10)
        assertEquals(List.of(), send(reportSignal(17, 1, 12, at(5, 0))));
        List<BranchAlert> alerts = send(ahead(reportSignal(17, 2, 30, at(15, 0)), at(10, 0), Duration.ofMinutes(5)));
        assertEquals(List.of(AlertKind.CLOCK_SKEW), kinds(alerts));
        BranchAlert alert = alerts.get(0);
        assertEquals(AlertReason.CLOCK_AHEAD, alert.getReason());
        assertEquals(karajBranch(17), alert.getBranchId());
        assertEquals(KARAJ, alert.getConstituencyId());
        assertEquals(Instant.ofEpochMilli(at(10, 0)), alert.getStartedAt(), "the episode starts when the centre heard it");
        assertTrue(alert.getDetail().contains("5m ahead"), alert.getDetail());
        assertEquals(AlertIds.of(ELECTION, AlertKind.CLOCK_SKEW, "branch:" + karajBranch(17), at(10, 0)), alert.getAlertId());
        // the same episode: more skewed reports and a skewed heartbeat raise nothing more
        assertEquals(List.of(), send(ahead(heartbeat(17, at(16, 0)), at(11, 0), Duration.ofMinutes(5)),
                ahead(reportSignal(17, 3, 41, at(20, 0)), at(15, 0), Duration.ofMinutes(5))));
        // the clock is set right: a report within the skew ends the episode; the next skew is a new one
        assertEquals(List.of(), send(reportSignal(17, 4, 50, at(20, 30))));
        List<BranchAlert> again = send(ahead(reportSignal(17, 5, 60, at(33, 0)), at(25, 0), Duration.ofMinutes(8)));
        assertEquals(List.of(AlertKind.CLOCK_SKEW), kinds(again));
        assertEquals(Instant.ofEpochMilli(at(25, 0)), again.get(0).getStartedAt());
    }

    @Test
    void aHigherSequenceWithFewerBallotsIsACountRegression() throws Exception {
        send(reportSignal(17, 1, 40, at(5, 0)));
        List<BranchAlert> alerts = send(reportSignal(17, 2, 35, at(10, 0)));
        assertEquals(List.of(AlertKind.COUNT_REGRESSION), kinds(alerts));
        BranchAlert alert = alerts.get(0);
        assertEquals(AlertReason.COUNT_DECREASED, alert.getReason());
        assertEquals(karajBranch(17), alert.getBranchId());
        assertEquals(KARAJ, alert.getConstituencyId());
        assertEquals(Instant.ofEpochMilli(at(10, 0)), alert.getStartedAt());
        assertNull(alert.getEndedAt());
        assertTrue(alert.getDetail().contains("sequence 2 reports 35") && alert.getDetail().contains("sequence 1 had 40"), alert.getDetail());
        assertEquals(List.of(AlertKind.COUNT_REGRESSION), kinds(send(reportSignal(17, 3, 38, at(15, 0)))), "38 is still below 40");
        assertEquals(List.of(), send(reportSignal(17, 4, 41, at(20, 0))), "back above every earlier count");
    }

    @Test
    void aRegressionAgainstAReportOlderThanTheTrailNamesTheCountItHad() throws Exception {
        // sequence 1 (10,000 ballots, minute 1) is the highest count: every later one regresses against it. It stays
        // in the trail while it is within the horizon (10 min) of the newest report, then only its count is kept.
        send(reportSignal(17, 1, 10_000, at(1, 0)));
        for (int seq = 2; seq <= 14; seq++) {
            List<BranchAlert> alerts = send(reportSignal(17, seq, seq * 10L, at(seq, 0)));
            assertEquals(List.of(AlertKind.COUNT_REGRESSION), kinds(alerts), "sequence " + seq);
            String detail = alerts.get(0).getDetail();
            assertTrue(detail.endsWith(seq <= 12 ? "but sequence 1 had 10000" : "but an earlier report had 10000"), seq + ": " + detail);
        }
    }

    @Test
    void aReportOlderThanTheHorizonIsNotJudgedOneWithinItIs() throws Exception {
        for (int seq = 1; seq <= 15; seq++) {
            if (seq == 3 || seq == 14) continue; // these two come late
            assertEquals(List.of(), send(reportSignal(17, seq, seq * 5L, at(seq, 0))), "sequence " + seq);
        }
        // 3 (minute 3) is more than 10 minutes older than the newest (15): counted elsewhere, not judged here
        assertEquals(List.of(), send(reportSignal(17, 3, 999, at(3, 0)).heardAt(at(16, 0))));
        // 14 is within the horizon: its 80 ballots make 15 (75) a regression
        List<BranchAlert> alerts = send(reportSignal(17, 14, 80, at(14, 0)).heardAt(at(16, 1)));
        assertEquals(List.of(AlertKind.COUNT_REGRESSION), kinds(alerts));
        assertEquals(Instant.ofEpochMilli(at(15, 0)), alerts.get(0).getStartedAt(), "the alert is about sequence 15");
    }

    @Test
    void aRegressionRevealedByALateLowerSequenceIsFlaggedOnce() throws Exception {
        send(reportSignal(17, 1, 10, at(5, 0)), reportSignal(17, 3, 30, at(15, 0)));
        // sequence 2 (45 ballots) arrives last: 3 turns out to be below it
        List<BranchAlert> alerts = send(reportSignal(17, 2, 45, at(10, 0)));
        assertEquals(List.of(AlertKind.COUNT_REGRESSION), kinds(alerts));
        assertEquals(Instant.ofEpochMilli(at(15, 0)), alerts.get(0).getStartedAt(), "the alert is about sequence 3");
        assertEquals(AlertIds.of(ELECTION, AlertKind.COUNT_REGRESSION, "branch:" + karajBranch(17), at(15, 0), 3L), alerts.get(0).getAlertId());
    }

    @Test
    void moreBallotsThanABranchCanTakeIsImplausible() throws Exception {
        send(reportSignal(17, 1, 100, at(60, 0)));
        assertEquals(List.of(), send(reportSignal(17, 2, 140, at(65, 0))), "8 a minute");
        List<BranchAlert> alerts = send(reportSignal(17, 3, 400, at(70, 0)));  // +260 in 5 minutes: 52 a minute
        assertEquals(List.of(AlertKind.IMPLAUSIBLE_RATE), kinds(alerts));
        assertEquals(AlertReason.RATE_TOO_HIGH, alerts.get(0).getReason());
        assertEquals(Instant.ofEpochMilli(at(65, 0)), alerts.get(0).getStartedAt());
        assertEquals(Instant.ofEpochMilli(at(70, 0)), alerts.get(0).getEndedAt());
        assertTrue(alerts.get(0).getDetail().contains("+260 ballots in 300 s"), alerts.get(0).getDetail());
        assertEquals(List.of(), send(reportSignal(17, 4, 405, at(70, 2))), "+5 two seconds later: within the burst allowance");
    }

    @Test
    void reportsAfterTheBranchClosedWhicheverArrivesFirst() throws Exception {
        long close = POLLS_OPEN_MILLIS + 12 * 60 * MINUTE;
        send(reportSignal(17, 1, 300, close - MINUTE));
        send(reportSignal(17, 2, 310, close + 5 * MINUTE));             // before CLOSED is known
        List<BranchAlert> onClose = send(closed(17, close));
        assertEquals(List.of(AlertKind.REPORTS_AFTER_CLOSE), kinds(onClose));
        assertEquals(Instant.ofEpochMilli(close + 5 * MINUTE), onClose.get(0).getStartedAt());
        assertEquals(AlertReason.AFTER_CLOSE, onClose.get(0).getReason());

        List<BranchAlert> later = send(reportSignal(17, 3, 320, close + 7 * MINUTE));  // after CLOSED is known
        assertEquals(List.of(AlertKind.REPORTS_AFTER_CLOSE), kinds(later));
        assertEquals(List.of(), send(reportSignal(17, 3, 320, close + 7 * MINUTE)), "a duplicate is not a second alert");

        harness.processWatermark(close + IntegrityRules.DEFAULT_CLOSED_RETENTION.toMillis());
        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    /** A gateway back from an outage delivers the reports it kept, all heard in the same millisecond. */
    static List<BranchSignal> reportsDeliveredOnRecovery(boolean reversed) {
        List<BranchSignal> kept = new ArrayList<>();
        for (int s = 2; s <= 6; s++) kept.add(reportSignal(17, s, 100 + (s - 1) * 25, at(5 + s - 1, 0)).heardAt(at(30, 0)));
        if (reversed) Collections.reverse(kept);
        List<BranchSignal> day = new ArrayList<>(List.of(reportSignal(17, 1, 100, at(5, 0))));
        day.addAll(kept);
        return day;
    }

    @Test
    void reportsHeardInTheSameMillisecondAreJudgedAlikeWhateverTheirOrderAndMode() throws Exception {
        List<BranchAlert> inOrder = send(reportsDeliveredOnRecovery(false).toArray(new BranchSignal[0]));
        assertEquals(5, inOrder.size(), "+25 a minute, every minute: " + inOrder);
        assertTrue(inOrder.get(4).getDetail().contains("between sequences 5 and 6"), inOrder.get(4).getDetail());

        close();
        open();
        watermark = Long.MIN_VALUE;
        assertEquals(inOrder, send(reportsDeliveredOnRecovery(true).toArray(new BranchSignal[0])), "arrived in reverse");

        close();
        harness = BatchModeHarness.run(new IntegrityChecks(IntegrityRules.defaults(), PollingHours.none()), BranchSignal::branchKey,
                s -> s.heardAt, reportsDeliveredOnRecovery(true));
        assertEquals(inOrder, harness.extractOutputValues(), "BATCH, whose sort leaves records of one timestamp in any order");
    }

    @Test
    void alertIdsAreTheSameInEveryRun() throws Exception {
        List<String> first = ids();
        close();
        open();
        List<String> second = ids();
        assertEquals(3, first.size());
        assertEquals(first, second);
    }

    List<String> ids() throws Exception {
        long close = POLLS_OPEN_MILLIS + 12 * 60 * MINUTE;
        return send(reportSignal(17, 1, 50, at(5, 0)), reportSignal(17, 2, 45, at(10, 0)), reportSignal(17, 3, 400, at(11, 0)),
                closed(17, close), reportSignal(17, 4, 401, close + MINUTE))
                .stream().map(BranchAlert::getAlertId).collect(Collectors.toList());
    }

    @Test
    void turnoutOverOneHundredPercentOncePerConstituency() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, InfluxPoint, BranchAlert> tally = NoGenericTypes.forKeyedProcessFunction(
                new TurnoutOverEligible(), TurnoutOverEligible::keyOf, Types.STRING);
        try {
            tally.processElement(TurnoutPoints.constituency(ELECTION, "Alborz", KARAJ, at(600, 0), 9_990, 10_000, 5, 5), at(600, 0));
            tally.processElement(TurnoutPoints.constituency(ELECTION, "Alborz", KARAJ, at(610, 0), 10_040, 10_000, 5, 5), at(610, 0));
            tally.processElement(TurnoutPoints.constituency(ELECTION, "Alborz", KARAJ, at(620, 0), 10_090, 10_000, 5, 5), at(620, 0));
            tally.processElement(TurnoutPoints.province(ELECTION, "Alborz", at(620, 0), 10_090, 10_000, 5, 5), at(620, 0));
            List<BranchAlert> alerts = tally.extractOutputValues();
            assertEquals(List.of(AlertKind.TURNOUT_OVER_100), kinds(alerts));
            BranchAlert alert = alerts.get(0);
            assertEquals(AlertReason.OVER_ELIGIBLE, alert.getReason());
            assertNull(alert.getBranchId());
            assertEquals(KARAJ, alert.getConstituencyId());
            assertEquals(Instant.ofEpochMilli(at(610, 0)), alert.getStartedAt());
            assertEquals(AlertIds.of(ELECTION, AlertKind.TURNOUT_OVER_100, "constituency:" + KARAJ, 0L), alert.getAlertId());
        } finally {
            tally.close();
        }
    }
}
