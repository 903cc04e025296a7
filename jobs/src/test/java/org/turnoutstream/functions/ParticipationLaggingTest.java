package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.Types;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PARTICIPATION_LAGGING: more than 5 points behind for 30 minutes, once per episode, cleared once. Points every 10 min. */
class ParticipationLaggingTest {
    static final long OPEN = Instant.parse("2024-03-08T04:30:00Z").toEpochMilli();
    static final long MINUTE = 60_000;

    KeyedOneInputStreamOperatorTestHarness<String, InfluxPoint, BranchAlert> harness;

    @BeforeEach
    void start() throws Exception {
        harness = NoGenericTypes.forKeyedProcessFunction(new ParticipationLagging(5, Duration.ofMinutes(30)), TurnoutOverEligible::keyOf, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static InfluxPoint point(String constituency, long minute, double vs) {
        return TurnoutPoints.constituency("r2", "P", constituency, OPEN + minute * MINUTE, 100, 1000, 1, 2)
                .withFields(java.util.Map.of(ParticipationFields.BASELINE, 10.0 - vs, ParticipationFields.VS_BASELINE, vs));
    }

    List<BranchAlert> feed(InfluxPoint... points) throws Exception {
        for (InfluxPoint p : points) harness.processElement(p, p.timeMillis());
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

    @Test
    void pointsWithoutAComparisonAreNotJudged() throws Exception {
        InfluxPoint plain = TurnoutPoints.constituency("r1", "P", "a", OPEN, 0, 1000, 0, 2);
        InfluxPoint national = TurnoutPoints.national("r2", OPEN, 0, 1000, 0, 2)
                .withFields(java.util.Map.of(ParticipationFields.BASELINE, 50.0, ParticipationFields.VS_BASELINE, -50.0));
        assertEquals(false, ParticipationLagging.judged(plain));
        assertEquals(false, ParticipationLagging.judged(national));
    }
}
