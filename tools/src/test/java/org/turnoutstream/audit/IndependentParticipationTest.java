package org.turnoutstream.audit;

import org.junit.jupiter.api.Test;
import org.turnoutstream.audit.TurnoutAudit.Participation;
import org.turnoutstream.reference.Election;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit's own participation figures, worked out by hand. The run-off (8 March, polls 08:00-20:00 +03:30, no projection
 * before a quarter of the day, 11:00) has constituencies a (province P, 1,000 eligible), b (P, 3,000) and c (Q, 2,000).
 *
 * <pre>
 * first round's series (1 March, polls 08:00-20:00)   its known values (time since its opening -> %)
 *   a: 09:00 10 %, 11:00 20 %, 19:00 40 %              0h 0 (no point before), 1h 10, 3h 20, 11h 40, 12h 40 (last point)
 *   b: 07:00 4 %, 10:00 10 %, 21:00 54 %               0h 6 (07:00-10:00 line), 2h 10, 12h 50 (10:00-21:00 line)
 *   c: 12:00 30 %, 20:00 60 %                          0h 0, 4h 30, 12h 60
 * </pre>
 */
class IndependentParticipationTest {
    static final ZoneOffset TEHRAN = ZoneOffset.ofHoursMinutes(3, 30);
    static final LocalDate FIRST_ROUND = LocalDate.of(2024, 3, 1), RUN_OFF = LocalDate.of(2024, 3, 8);
    static final double EPS = 1e-9;
    static final Election ELECTION = Election.builder("r2")
            .constituency("a", "A", "P", 1000).constituency("b", "B", "P", 3000).constituency("c", "C", "Q", 2000)
            .branch("a-1", "a", "A 1").branch("b-1", "b", "B 1").branch("c-1", "c", "C 1").build();

    static Instant at(LocalDate day, String hhmm) {
        return day.atTime(LocalTime.parse(hhmm)).atOffset(TEHRAN).toInstant();
    }

    static long runOff(String hhmm) {
        return at(RUN_OFF, hhmm).toEpochMilli();
    }

    static NavigableMap<Long, Double> series(Object... timeThenPercent) {
        NavigableMap<Long, Double> points = new TreeMap<>();
        for (int i = 0; i < timeThenPercent.length; i += 2) {
            points.put(at(FIRST_ROUND, (String) timeThenPercent[i]).toEpochMilli(), ((Number) timeThenPercent[i + 1]).doubleValue());
        }
        return points;
    }

    static IndependentParticipation againstTheFirstRound(double projectionAfter) {
        Map<String, NavigableMap<Long, Double>> firstRound = Map.of(
                "a", series("09:00", 10, "11:00", 20, "19:00", 40),
                "b", series("07:00", 4, "10:00", 10, "21:00", 54),
                "c", series("12:00", 30, "20:00", 60));
        return IndependentParticipation.of(ELECTION, "election r1", at(RUN_OFF, "08:00"), at(RUN_OFF, "20:00"), projectionAfter,
                IndependentParticipation.fromSeries(firstRound, at(FIRST_ROUND, "08:00"), at(FIRST_ROUND, "20:00")));
    }

    static void assertFields(Participation p, double baseline, double vs, Double projected) {
        assertEquals(baseline, p.baselinePct(), EPS, "baseline_pct of " + p);
        assertEquals(vs, p.vsBaselinePts(), EPS, "vs_baseline_pts of " + p);
        if (projected == null) assertNull(p.projectedPct(), "no projected_pct: " + p);
        else assertEquals(projected, p.projectedPct(), EPS, "projected_pct of " + p);
    }

    @Test
    void aConstituencyIsComparedWithItsBaselineAtTheSameTimeSinceThePollsOpened() {
        IndependentParticipation p = againstTheFirstRound(0.25);
        // 10:00, two hours in: a's baseline halfway from 10 % (1h) to 20 % (3h); 50 of 1,000 voted; no projection yet
        assertFields(p.constituency("a", runOff("10:00"), 50), 15, 5 - 15, null);
        // 13:00, five hours in: a 30 % against 25 %, projected 30 x 40 / 25
        assertFields(p.constituency("a", runOff("13:00"), 300), 25, 5, 48.0);
        // b: 30 % against 22 % (10 + 3/10 of the way to 50), final 50
        assertFields(p.constituency("b", runOff("13:00"), 900), 22, 8, 30.0 * 50 / 22);
        // c: 35 % against 33.75 % (30 + 1/8 of the way to 60), final 60
        assertFields(p.constituency("c", runOff("13:00"), 700), 33.75, 1.25, 35.0 * 60 / 33.75);
    }

    @Test
    void provincesAndTheNationWeighTheirConstituenciesByTheRunOffsEligibleVoters() {
        IndependentParticipation p = againstTheFirstRound(0.25);
        // P at 13:00: 1,200 of 4,000 = 30 %; baseline (1,000 x 25 + 3,000 x 22) / 4,000 = 22.75, final (1,000 x 40 + 3,000 x 50) / 4,000 = 47.5
        assertFields(p.province("P", runOff("13:00"), 1200), 22.75, 7.25, 30.0 * 47.5 / 22.75);
        // the nation: 1,900 of 6,000; baseline (25,000 + 66,000 + 2,000 x 33.75) / 6,000, final (40,000 + 150,000 + 120,000) / 6,000
        double today = 1900 * 100.0 / 6000, baseline = 158_500.0 / 6000, last = 310_000.0 / 6000;
        assertFields(p.national(runOff("13:00"), 1900), baseline, today - baseline, today * last / baseline);
        assertFields(p.at(TurnoutAudit.Key.province("r2", "P", runOff("13:00")), 1200), 22.75, 7.25, 30.0 * 47.5 / 22.75);
    }

    @Test
    void beforeTheOpeningTheBaselineIsZeroAndAfterItsCloseItsFinalTurnout() {
        IndependentParticipation p = againstTheFirstRound(0.25);
        assertFields(p.constituency("a", runOff("07:50"), 10), 0, 1, null);
        // 20:30 is 12.5 h in, after the first round's close: its final 40 %; 50 % today projects to itself
        assertFields(p.constituency("a", runOff("20:30"), 500), 40, 10, 50.0);
    }

    @Test
    void theProjectionStartsExactlyAtItsShareOfTheDayAndNeedsABaselineAboveZero() {
        IndependentParticipation p = againstTheFirstRound(0.25);
        // 10:50: 2 h 50 in, 110 of the 120 minutes from 10 % to 20 %; a quarter of the day is 3 h: no projection
        assertFields(p.constituency("a", runOff("10:50"), 100), 10 + 110.0 / 120 * 10, 10 - (10 + 110.0 / 120 * 10), null);
        // 11:00: exactly a quarter of the day: 10 % x 40 / 20
        assertFields(p.constituency("a", runOff("11:00"), 100), 20, -10, 20.0);
        // projections from the opening on, but not where the baseline is still 0
        IndependentParticipation fromTheStart = againstTheFirstRound(0);
        assertFields(fromTheStart.constituency("a", runOff("08:00"), 0), 0, 0, null);
        assertFields(fromTheStart.constituency("a", runOff("08:30"), 50), 5, 0, 40.0);
    }

    /** A published table: a's hours as the run-off's, b's polls extended to 22:00, c opening an hour late. */
    static final List<String> TABLE = List.of(
            "constituency_id,polls_open,polls_close,10:00,12:00,21:00,final",
            "a,08:00,20:00,10,20,,40",
            "b,08:00,22:00,5,10,30,45",
            "c,09:00,21:00,6,12,,30");

    @Test
    void aPublishedTableIsReadAsEachRowsOwnDayFromItsOpening() {
        IndependentParticipation p = IndependentParticipation.of(ELECTION, "table first-round.csv", at(RUN_OFF, "08:00"), at(RUN_OFF, "20:00"), 0.25,
                IndependentParticipation.fromTable(TABLE, "first-round.csv"));
        // 11:00, 3 h in: a halfway from 10 % (10:00) to 20 % (12:00)
        assertFields(p.constituency("a", runOff("11:00"), 100), 15, -5, 10.0 * 40 / 15);
        // c opened at 09:00: 3 h in is its 12:00, 12 %; final 30
        assertFields(p.constituency("c", runOff("11:00"), 500), 12, 13, 25.0 * 30 / 12);
        // b 11 h in (19:00): 7/9 of the way from 10 % (12:00, 4 h) to 30 % (21:00, 13 h)
        double b = 10 + 7.0 / 9 * 20;
        assertFields(p.constituency("b", runOff("19:00"), 1200), b, 40 - b, 40.0 * 45 / b);
        // after the run-off's close, b's own day goes on: 13.5 h in, halfway to its final 45 % at 22:00 (14 h), then 45 %
        assertFields(p.constituency("b", runOff("21:30"), 1200), 37.5, 2.5, 40.0 * 45 / 37.5);
        assertFields(p.constituency("b", runOff("22:10"), 1200), 45, -5, 40.0);
        // P at 11:00: (1,000 x 15 + 3,000 x 7.5) / 4,000 = 9.375, final (1,000 x 40 + 3,000 x 45) / 4,000 = 43.75
        assertFields(p.province("P", runOff("11:00"), 400), 9.375, 0.625, 10.0 * 43.75 / 9.375);
    }

    @Test
    void aBaselineWithoutAConstituencyOrAnUnreadableLineIsRefusedWithWhere() {
        List<String> withoutC = TABLE.subList(0, 3);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> IndependentParticipation.of(ELECTION, "table t.csv",
                at(RUN_OFF, "08:00"), at(RUN_OFF, "20:00"), 0.25, IndependentParticipation.fromTable(withoutC, "t.csv")));
        assertEquals("baseline of election r2 (table t.csv) has nothing for c", missing.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> IndependentParticipation.fromTable(List.of(TABLE.get(0), "a,08:00,20:00,ten,20,,40"), "t.csv"));
        assertTrue(bad.getMessage().startsWith("t.csv:2: cannot read a,08:00,20:00,ten,20,,40"), bad.getMessage());
    }

    @Test
    void fieldsAgreeWithinAToleranceAndAMissingFieldIsADifference() {
        Participation written = new Participation(25.0, 5.0, 48.0);
        assertEquals(List.of(), written.differingFields(new Participation(25.0 + 1e-12, 5.0 - 1e-12, 48.0 * (1 + 1e-12))));
        assertEquals(List.of("vs_baseline_pts"), written.differingFields(new Participation(25.0, 5.001, 48.0)));
        assertEquals(List.of("projected_pct"), written.differingFields(new Participation(25.0, 5.0, null)));
        assertEquals(List.of("baseline_pct", "vs_baseline_pts", "projected_pct"), Participation.NONE.differingFields(written));
    }
}
