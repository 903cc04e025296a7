package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.simulator.ParticipationTruth.Figures;
import org.turnoutstream.simulator.ParticipationTruth.Moment;

/** The reference model of the run-off's comparison with its first round, at chosen hours, computed by hand. */
class ParticipationTruthTest {
    /** Karaj and Fardis in Alborz, Qom alone in its province; one branch each. */
    static final Election FIRST_ROUND = Election.builder("r1")
            .constituency("karaj", "Karaj", "Alborz", 1_000).constituency("fardis", "Fardis", "Alborz", 500)
            .constituency("qom", "Qom", "Qom", 200)
            .branch("karaj-1", "karaj", "Karaj 1", 1_000).branch("fardis-1", "fardis", "Fardis 1", 500)
            .branch("qom-1", "qom", "Qom 1", 200)
            .build();
    /** The run-off a week later: 200 more voters registered in Karaj, so the areas weigh Karaj by 1,200. */
    static final Election RUN_OFF = Election.builder("r2")
            .constituency("karaj", "Karaj", "Alborz", 1_200).constituency("fardis", "Fardis", "Alborz", 500)
            .constituency("qom", "Qom", "Qom", 200)
            .branch("karaj-1", "karaj", "Karaj 1", 1_200).branch("fardis-1", "fardis", "Fardis 1", 500)
            .branch("qom-1", "qom", "Qom 1", 200)
            .build();
    static final LocalTime EIGHT = LocalTime.of(8, 0), NOON = LocalTime.of(12, 0);
    static final LocalDate RUN_OFF_DATE = SimulationSettings.DEFAULT_DATE.plusWeeks(1);

    /**
     * First round, 08:00-12:00, turnout at 09, 10, 11, 12: Karaj 10, 20, 30, 40 %; Fardis 5, 10, 20, 30 %; Qom 0, 10, 20, 50 %.
     */
    static final GroundTruth FIRST = day(FIRST_ROUND, SimulationSettings.defaults("r1").withPolls(EIGHT, NOON), Map.of(
            "karaj", new long[] {100, 200, 300, 400}, "fardis", new long[] {25, 50, 100, 150}, "qom", new long[] {0, 20, 40, 100}));

    /** Run-off, 08:00-12:00: Karaj 8, 15, 30, 35 %; Fardis 6, 9, 20, 25 %; Qom 2, 10, 15, 40 %. */
    static final GroundTruth SECOND = day(RUN_OFF, runOffDay(NOON), Map.of(
            "karaj", new long[] {96, 180, 360, 420}, "fardis", new long[] {30, 45, 100, 125}, "qom", new long[] {4, 20, 30, 80}));

    static SimulationSettings runOffDay(LocalTime close) {
        return SimulationSettings.defaults("r2").withDate(RUN_OFF_DATE).withPolls(EIGHT, close).withRunOff(true);
    }

    /** A day whose only reports are each branch's count at each instant of the series, recorded by the simulator's rule. */
    static GroundTruth day(Election election, SimulationSettings settings, Map<String, long[]> ballots) {
        ElectionDayPlan plan = ElectionDayPlan.plan(election, settings);
        GroundTruth.Recorder recorder = new GroundTruth.Recorder(plan);
        long[] instants = GroundTruth.seriesInstants(plan.pollsOpenMillis(), plan.pollsCloseMillis());
        ballots.forEach((constituency, counts) -> {
            String branch = constituency + "-1";
            for (int i = 0; i < instants.length; i++) {
                TurnoutReport report = new TurnoutReport(election.id(), branch, constituency, i + 1L, counts[i], Instant.ofEpochMilli(instants[i]));
                recorder.accept(new SimulatedRecord(settings.turnoutTopic(), branch.getBytes(), report, null, FaultKind.NONE,
                        instants[i], instants[i]));
            }
        });
        return recorder.result();
    }

    private static void assertFigures(double today, double baseline, double vs, Double projected, Figures actual, String what) {
        assertEquals(today, actual.todayPct(), 1e-12, what + " today");
        assertEquals(baseline, actual.baselinePct(), 1e-12, what + " baseline");
        assertEquals(vs, actual.vsBaselinePts(), 1e-12, what + " vs baseline");
        if (projected == null) assertTrue(actual.projectedPct().isEmpty(), what + " projected: " + actual.projectedPct());
        else assertEquals(projected, actual.projectedPct().orElseThrow(), 1e-12, what + " projected");
    }

    @Test
    void eachHourOfTheRunOffIsComparedWithTheSameHourOfTheFirstRound() {
        List<Moment> moments = ParticipationTruth.of(FIRST, SECOND);
        assertEquals(List.of("2024-03-08T05:30:00Z", "2024-03-08T06:30:00Z", "2024-03-08T07:30:00Z", "2024-03-08T08:30:00Z"),
                moments.stream().map(m -> m.at().toString()).toList());
        assertEquals(Duration.ofHours(1), moments.get(0).sinceOpening());

        Moment nine = moments.get(0);   // 1 h: exactly a quarter of the 4-hour day, so projected already
        assertFigures(8, 10, -2, 8.0 * 40 / 10, nine.constituencies().get("karaj"), "Karaj 09:00");
        assertFigures(6, 5, 1, 6.0 * 30 / 5, nine.constituencies().get("fardis"), "Fardis 09:00");
        assertFigures(2, 0, 2, null, nine.constituencies().get("qom"), "Qom 09:00 (nobody had voted in the first round)");
        // Alborz: today (96 + 30) / 1,700; baseline (10 x 1,200 + 5 x 500) / 1,700; final (40 x 1,200 + 30 x 500) / 1,700
        assertFigures(12_600 / 1_700.0, 14_500 / 1_700.0, (12_600 - 14_500) / 1_700.0, 12_600 / 1_700.0 * 63_000 / 14_500,
                nine.provinces().get("Alborz"), "Alborz 09:00");
        assertFigures(2, 0, 2, null, nine.provinces().get("Qom"), "Qom province 09:00");
        // the nation: today 130 / 1,900; baseline (12,000 + 2,500 + 0) / 1,900; final (48,000 + 15,000 + 10,000) / 1,900
        assertFigures(13_000 / 1_900.0, 14_500 / 1_900.0, (13_000 - 14_500) / 1_900.0, 13_000 / 1_900.0 * 73_000 / 14_500,
                nine.national(), "nation 09:00");

        Moment ten = moments.get(1);
        assertFigures(15, 20, -5, 15.0 * 40 / 20, ten.constituencies().get("karaj"), "Karaj 10:00");
        assertFigures(9, 10, -1, 9.0 * 30 / 10, ten.constituencies().get("fardis"), "Fardis 10:00");
        assertFigures(10, 10, 0, 10.0 * 50 / 10, ten.constituencies().get("qom"), "Qom 10:00");
        assertFigures(22_500 / 1_700.0, 29_000 / 1_700.0, (22_500 - 29_000) / 1_700.0, 22_500 / 1_700.0 * 63_000 / 29_000,
                ten.provinces().get("Alborz"), "Alborz 10:00");
        assertFigures(24_500 / 1_900.0, 31_000 / 1_900.0, (24_500 - 31_000) / 1_900.0, 24_500 / 1_900.0 * 73_000 / 31_000,
                ten.national(), "nation 10:00");

        Moment close = moments.get(3);  // at the close the baseline is the first round's final: the projection is today
        assertFigures(35, 40, -5, 35.0, close.constituencies().get("karaj"), "Karaj at the close");
        assertFigures(40, 50, -10, 40.0, close.constituencies().get("qom"), "Qom at the close");
        // the nation: today (420 + 125 + 80) / 1,900
        assertFigures(62_500 / 1_900.0, 73_000 / 1_900.0, (62_500 - 73_000) / 1_900.0, 62_500 / 1_900.0, close.national(), "nation at the close");
    }

    @Test
    void nothingIsProjectedBeforeTheMinimumShareOfTheDay() {
        List<Moment> moments = ParticipationTruth.of(FIRST, SECOND, 0.5);
        Moment nine = moments.get(0), ten = moments.get(1);
        assertFigures(8, 10, -2, null, nine.constituencies().get("karaj"), "Karaj 09:00");
        assertTrue(nine.provinces().get("Alborz").projectedPct().isEmpty());
        assertTrue(nine.national().projectedPct().isEmpty());
        assertFigures(15, 20, -5, 30.0, ten.constituencies().get("karaj"), "Karaj 10:00, half the day: projected");
    }

    @Test
    void whenTheDaysDifferTheFirstRoundIsReadLinearlyBetweenItsHoursAndAsItsFinalAfterItsClose() {
        // a run-off closing at 11:30: its close, 3.5 h after the opening, is half-way between the first round's 11:00 and 12:00
        GroundTruth shorterRunOff = day(RUN_OFF, runOffDay(LocalTime.of(11, 30)), Map.of(
                "karaj", new long[] {96, 180, 360, 408}, "fardis", new long[] {30, 45, 100, 110}, "qom", new long[] {4, 20, 30, 60}));
        Moment close = ParticipationTruth.of(FIRST, shorterRunOff).get(3);
        assertEquals(Duration.ofMinutes(210), close.sinceOpening());
        assertFigures(34, 35, -1, 34.0 * 40 / 35, close.constituencies().get("karaj"), "Karaj 11:30");
        assertFigures(22, 25, -3, 22.0 * 30 / 25, close.constituencies().get("fardis"), "Fardis 11:30");
        assertFigures(30, 35, -5, 30.0 * 50 / 35, close.constituencies().get("qom"), "Qom 11:30");

        // a first round that closed at 10:30: from 2.5 h on, its final turnout (Karaj 26 %) is the baseline
        GroundTruth shorterFirst = day(FIRST_ROUND, SimulationSettings.defaults("r1").withPolls(EIGHT, LocalTime.of(10, 30)), Map.of(
                "karaj", new long[] {100, 200, 260}, "fardis", new long[] {25, 50, 60}, "qom", new long[] {0, 20, 30}));
        List<Moment> moments = ParticipationTruth.of(shorterFirst, SECOND);
        assertFigures(15, 20, -5, 15.0 * 26 / 20, moments.get(1).constituencies().get("karaj"), "Karaj 10:00");
        assertFigures(30, 26, 4, 30.0, moments.get(2).constituencies().get("karaj"), "Karaj 11:00");
        assertFigures(35, 26, 9, 35.0, moments.get(3).constituencies().get("karaj"), "Karaj 12:00");
    }

    @Test
    void aTruthWithoutASeriesOrAConstituencyIsRefused() {
        GroundTruth older = new GroundTruth(FIRST.election(), FIRST.pollsOpen(), FIRST.pollsClose(), FIRST.seed(), FIRST.recordsSent(),
                FIRST.national(), FIRST.constituencies(), FIRST.outages(), FIRST.faultsInjected(), null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParticipationTruth.of(older, SECOND)).getMessage()
                .contains("r1 has no series"));
        Election elsewhere = Election.builder("r1").constituency("karaj", "Karaj", "Alborz", 1_000)
                .branch("karaj-1", "karaj", "Karaj 1", 1_000).build();
        GroundTruth karajOnly = day(elsewhere, SimulationSettings.defaults("r1").withPolls(EIGHT, NOON),
                Map.of("karaj", new long[] {100, 200, 300, 400}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParticipationTruth.of(karajOnly, SECOND)).getMessage()
                .contains("has no constituency fardis"));
    }

    /** The Alborz sample, simulated as a first round and its run-off a week later, with the same seed. */
    @Test
    void aSeededRunOffOfTheAlborzSampleFallsBehindInSomePlacesAndKeepsUpInOthers() {
        Path alborz = Path.of(System.getProperty("turnout.repo.dir", "..")).toAbsolutePath().normalize().resolve("reference/alborz-synthetic");
        ElectionCatalog catalog = ElectionCatalog.loadSpecs(List.of("2024-majlis-r1=" + alborz, "2024-majlis-r2=" + alborz));
        SimulationSettings firstDay = SimulationSettings.defaults("2024-majlis-r1").withSeed(1403).withFaults(FaultRates.DEFAULT)
                .withHeartbeatInterval(Duration.ofMinutes(10));   // heartbeats do not count: fewer of them, a faster test
        SimulationSettings runOffDay = firstDay.withElectionId("2024-majlis-r2").withDate(RUN_OFF_DATE).withRunOff(true);
        GroundTruth first = new SimulationRunner(ElectionDaySimulator.of(catalog.election("2024-majlis-r1").orElseThrow(), firstDay)).run().truth();
        GroundTruth second = new SimulationRunner(ElectionDaySimulator.of(catalog.election("2024-majlis-r2").orElseThrow(), runOffDay)).run().truth();

        List<Moment> moments = ParticipationTruth.of(first, second);
        assertEquals(12, moments.size());
        List<String> behind = new ArrayList<>(), ahead = new ArrayList<>();
        for (String c : second.constituencies().keySet()) {
            double firstFinal = first.constituencies().get(c).ballots() / (double) first.constituencies().get(c).eligibleVoters();
            double runOffFinal = second.constituencies().get(c).ballots() / (double) second.constituencies().get(c).eligibleVoters();
            assertTrue(runOffFinal >= 0.7 * firstFinal && runOffFinal <= 1.1 * firstFinal, c + ": " + firstFinal + " -> " + runOffFinal);
            for (int h = 0; h < moments.size(); h++) {
                Figures f = moments.get(h).constituencies().get(c);
                long firstBallots = first.series().get(h).ballots().get(c);   // same 12-hour day: the same hour of the first round
                assertEquals(ParticipationTruth.percent(firstBallots, first.constituencies().get(c).eligibleVoters()), f.baselinePct(), c);
                if (f.vsBaselinePts() < -3 && !behind.contains(c)) behind.add(c);
                if (f.vsBaselinePts() > 0 && !ahead.contains(c)) ahead.add(c);
            }
            Figures atClose = moments.get(11).constituencies().get(c);
            assertEquals(atClose.todayPct(), atClose.projectedPct().orElseThrow(), 1e-9, c + ": at the close the projection is the turnout");
        }
        assertTrue(!behind.isEmpty() && !ahead.isEmpty(), "more than 3 points behind: " + behind + "; ahead: " + ahead);
        Figures nationAtSix = moments.get(5).national();   // 14:00
        assertTrue(nationAtSix.vsBaselinePts() < 0, "the nation votes less in the run-off: " + nationAtSix);
    }
}
