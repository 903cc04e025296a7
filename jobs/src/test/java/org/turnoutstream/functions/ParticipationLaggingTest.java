package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PARTICIPATION_LAGGING: more than 5 points behind for 30 minutes, once per episode, ended once. Points every 10 min. */
class ParticipationLaggingTest {
    static final long OPEN = Instant.parse("2024-03-08T04:30:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    /** Polls close after 12 h, over for alerting 2 h later. */
    static final long END = OPEN + 14 * 60 * MINUTE;

    KeyedOneInputStreamOperatorTestHarness<String, InfluxPoint, BranchAlert> harness;

    @BeforeEach
    void start() throws Exception {
        harness = harness(Map.of(), null);
    }

    /** An open harness; {@code restore}: the state to start from (null: none). */
    static KeyedOneInputStreamOperatorTestHarness<String, InfluxPoint, BranchAlert> harness(Map<String, Long> heldBack, OperatorSubtaskState restore)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, InfluxPoint, BranchAlert> h = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ParticipationLagging(5, Duration.ofMinutes(30), heldBack, Duration.ofMinutes(60), Map.of("r2", END))),
                TurnoutOverEligible::keyOf, Types.STRING));
        h.setup();
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static InfluxPoint point(String constituency, long minute, double vs) {
        return TurnoutPoints.constituency("r2", "P", constituency, OPEN + minute * MINUTE, 100, 1000, 1, 2)
                .withFields(Map.of(ParticipationFields.BASELINE, 10.0 - vs, ParticipationFields.VS_BASELINE, vs));
    }

    /** The points, then the watermark at the last one's instant (as the tally writes an instant when its watermark passes it). */
    List<BranchAlert> feed(InfluxPoint... points) throws Exception {
        long watermark = Long.MIN_VALUE;
        for (InfluxPoint p : points) {
            harness.processElement(p, p.timeMillis());
            watermark = Math.max(watermark, p.timeMillis());
        }
        return watermark(watermark);
    }

    List<BranchAlert> watermark(long watermark) throws Exception {
        harness.processWatermark(watermark);
        List<BranchAlert> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void raisedWhenBehindForTheWholeDurationAndClearedOnceWhenBackWithinTheThreshold() throws Exception {
        assertEquals(List.of(), feed(point("a", 0, -4.9), point("a", 10, -5.0)), "5 points behind is not more than 5");
        assertEquals(List.of(), feed(point("a", 20, -5.1), point("a", 30, -8), point("a", 40, -6)), "behind for 20 min");
        List<BranchAlert> raised = feed(point("a", 50, -7));                     // 30 min since minute 20
        assertEquals(1, raised.size());
        BranchAlert lagging = raised.get(0);
        assertEquals(AlertKind.PARTICIPATION_LAGGING, lagging.getKind());
        assertEquals(AlertReason.BEHIND_BASELINE, lagging.getReason());
        assertEquals("a", lagging.getConstituencyId());
        assertNull(lagging.getBranchId());
        assertEquals(Instant.ofEpochMilli(OPEN + 20 * MINUTE), lagging.getStartedAt(), "since the first point of the run");
        assertNull(lagging.getEndedAt());
        assertTrue(lagging.getDetail().contains("more than 5 points behind its baseline since 2024-03-08T04:50:00Z"), lagging.getDetail());

        assertEquals(List.of(), feed(point("a", 60, -20), point("a", 70, -9)), "once per episode");
        List<BranchAlert> cleared = feed(point("a", 80, -2), point("a", 90, -1));
        assertEquals(1, cleared.size());
        assertEquals(AlertKind.PARTICIPATION_CAUGHT_UP, cleared.get(0).getKind());
        assertEquals(AlertReason.CAUGHT_UP, cleared.get(0).getReason());
        assertEquals(lagging.getStartedAt(), cleared.get(0).getStartedAt());
        assertEquals(Instant.ofEpochMilli(OPEN + 80 * MINUTE), cleared.get(0).getEndedAt());
        assertNotEquals(lagging.getAlertId(), cleared.get(0).getAlertId());

        // a second episode is a new alert, with its own id
        List<BranchAlert> again = feed(point("a", 100, -6), point("a", 110, -6), point("a", 120, -6), point("a", 130, -6));
        assertEquals(1, again.size());
        assertEquals(Instant.ofEpochMilli(OPEN + 100 * MINUTE), again.get(0).getStartedAt());
        assertNotEquals(lagging.getAlertId(), again.get(0).getAlertId());
    }

    @Test
    void aShortDipRaisesNothingAndConstituenciesAreJudgedApart() throws Exception {
        assertEquals(List.of(), feed(point("a", 0, -9), point("b", 0, -9), point("a", 10, -9), point("a", 20, -9), point("a", 30, 0),
                point("b", 10, -9), point("b", 20, -9)));
        List<BranchAlert> b = feed(point("b", 30, -9));
        assertEquals(List.of("b"), b.stream().map(x -> x.getConstituencyId().toString()).toList());
    }

    @Test
    void aRewrittenPointChangesTheSeriesNotAnAlertAlreadyDecided() throws Exception {
        feed(point("a", 0, -9), point("a", 10, -9), point("a", 20, -9));
        // a late report rewrites minutes 0-20: no longer behind; the run still goes on at minute 30
        assertEquals(List.of(), feed(point("a", 0, 1), point("a", 10, 1), point("a", 20, 1)));
        assertEquals(1, feed(point("a", 30, -9)).size(), "judged on each instant as first written");
    }

    /** A BATCH run hands a key's points over in any order (they carry one timer's timestamp): the same alerts. */
    @Test
    void pointsInAnyOrderBeforeTheWatermarkGiveTheSameAlerts() throws Exception {
        double[] day = {-1, -6, -7, -8, -9, -2, -6, -6, -6, -6, 0, -3};
        List<InfluxPoint> points = new ArrayList<>();
        for (int i = 0; i < day.length; i++) points.add(point("a", 10L * i, day[i]));
        List<String> inOrder = describe(feed(points.toArray(new InfluxPoint[0])));
        for (long seed = 1; seed <= 5; seed++) {
            harness.close();
            harness = harness(Map.of(), null);
            List<InfluxPoint> shuffled = new ArrayList<>(points);
            Collections.shuffle(shuffled, new Random(seed));
            for (InfluxPoint p : shuffled) harness.processElement(p, OPEN + 200 * MINUTE); // one timestamp for all
            assertEquals(inOrder, describe(watermark(Long.MAX_VALUE - 1)), "seed " + seed);
        }
        assertEquals(List.of("PARTICIPATION_LAGGING 10 -", "PARTICIPATION_CAUGHT_UP 10 50", "PARTICIPATION_LAGGING 60 -",
                "PARTICIPATION_CAUGHT_UP 60 100"), inOrder);
    }

    @Test
    void anEpisodeGoesOnAfterACheckpointIsRestored() throws Exception {
        feed(point("a", 0, -9), point("a", 10, -9));
        OperatorSubtaskState snapshot = harness.snapshot(1, OPEN + 10 * MINUTE);
        harness.close();
        harness = harness(Map.of(), snapshot);
        List<BranchAlert> raised = feed(point("a", 20, -9), point("a", 30, -9));
        assertEquals(List.of("PARTICIPATION_LAGGING 0 -"), describe(raised), "the run began before the checkpoint");
    }

    /**
     * A recount after a restart without state: the tally writes the instants InfluxDB held (up to minute 40) only at
     * minute 40 + the 60-minute horizon, after the later ones. The run before it raised the alert that began at minute 0;
     * the recount raises nothing twice and ends that episode with its first instant.
     */
    @Test
    void aRecountJudgesTheHeldBackInstantsFirstAndRaisesNothingTheRunBeforeItRaised() throws Exception {
        harness.close();
        harness = harness(Map.of("r2", OPEN + 40 * MINUTE), null);
        assertEquals(List.of(), feed(point("a", 50, -9), point("a", 60, -9), point("a", 70, -9), point("a", 80, 1), point("a", 90, -9)),
                "nothing judged before the held instants come");
        for (int minute = 0; minute <= 40; minute += 10) harness.processElement(point("a", minute, -9), OPEN + 100 * MINUTE);
        assertEquals(List.of("PARTICIPATION_CAUGHT_UP 0 80"), describe(watermark(OPEN + 100 * MINUTE)));
    }

    @Test
    void whenTheElectionIsOverAnEpisodeStillRunningEndsAndTheStateIsDropped() throws Exception {
        feed(point("a", 700, -9), point("a", 710, -9), point("a", 720, -9), point("a", 730, -9), point("b", 730, 2));
        assertTrue(harness.numKeyedStateEntries() > 0);
        List<BranchAlert> end = watermark(END);
        assertEquals(1, end.size());
        assertEquals(AlertKind.PARTICIPATION_CAUGHT_UP, end.get(0).getKind());
        assertEquals(AlertReason.POLLS_CLOSED, end.get(0).getReason());
        assertEquals(Instant.ofEpochMilli(OPEN + 700 * MINUTE), end.get(0).getStartedAt());
        assertEquals(Instant.ofEpochMilli(END), end.get(0).getEndedAt());
        assertEquals(0, harness.numKeyedStateEntries(), "no state left");
        assertEquals(List.of(), feed(point("a", 850, -9), point("a", 860, -9), point("a", 900, -9), point("a", 990, -9)), "over");
        assertEquals(0, harness.numKeyedStateEntries(), "none created after the end");
    }

    @Test
    void pointsWithoutAComparisonAreNotJudged() {
        InfluxPoint plain = TurnoutPoints.constituency("r1", "P", "a", OPEN, 0, 1000, 0, 2);
        InfluxPoint national = TurnoutPoints.national("r2", OPEN, 0, 1000, 0, 2)
                .withFields(Map.of(ParticipationFields.BASELINE, 50.0, ParticipationFields.VS_BASELINE, -50.0));
        assertFalse(ParticipationLagging.judged(plain));
        assertFalse(ParticipationLagging.judged(national));
        assertTrue(ParticipationLagging.judged(point("a", 0, 0)));
    }

    /** "KIND startedAt-minute endedAt-minute|-". */
    static List<String> describe(List<BranchAlert> alerts) {
        return alerts.stream().map(a -> a.getKind() + " " + (a.getStartedAt().toEpochMilli() - OPEN) / MINUTE + " "
                + (a.getEndedAt() == null ? "-" : String.valueOf((a.getEndedAt().toEpochMilli() - OPEN) / MINUTE))).toList();
    }
}
