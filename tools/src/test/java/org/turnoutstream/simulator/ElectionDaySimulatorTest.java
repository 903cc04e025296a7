package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.Election;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.TurnoutReport;

class ElectionDaySimulatorTest {
    static final Election ELECTION = SimulatorFixtures.smallElection(120, 6);
    static final FaultRates FAULTS = new FaultRates(0.05, 0.05, 0.03, 0.05, 0.10, 0.30);

    static SimulationSettings settings(long seed, FaultRates faults) {
        return SimulationSettings.defaults(ELECTION.id()).withSeed(seed).withFaults(faults)
                .withPolls(LocalTime.of(8, 0), LocalTime.of(20, 0));
    }

    static byte[] digest(ElectionDaySimulator sim) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        RecordEncoder encoder = RecordEncoder.withSchemaIds(SimulatorFixtures.TURNOUT_ID, SimulatorFixtures.CONNECTIVITY_ID);
        for (SimulatedRecord r : sim) {
            md.update(r.topic().getBytes());
            md.update(r.key());
            md.update(encoder.encode(r));
            md.update(Long.toString(r.sendAtMillis()).getBytes());
        }
        return md.digest();
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        ElectionDaySimulator a = ElectionDaySimulator.of(ELECTION, settings(42, FAULTS));
        ElectionDaySimulator b = ElectionDaySimulator.of(ELECTION, settings(42, FAULTS));
        byte[] first = digest(a);
        assertArrayEquals(first, digest(b));
        assertArrayEquals(first, digest(a), "a second walk of the same simulator is the same");
        assertFalse(java.util.Arrays.equals(first, digest(ElectionDaySimulator.of(ELECTION, settings(43, FAULTS)))));
    }

    @Test
    void reportsAreCumulativeAndSequencedPerBranchAndTheDayIsInSendOrder() {
        ElectionDaySimulator sim = ElectionDaySimulator.of(ELECTION, settings(7, FAULTS));
        ElectionDayPlan plan = sim.plan();
        Map<String, TreeMap<Long, TurnoutReport>> reports = new HashMap<>();
        Map<String, List<ConnectivityKind>> connectivity = new HashMap<>();
        long lastSendAt = Long.MIN_VALUE;
        for (SimulatedRecord r : sim) {
            assertTrue(r.sendAtMillis() >= lastSendAt, "send order");
            assertTrue(r.sendAtMillis() >= r.eventTimeMillis(), "nothing is sent before it happens");
            lastSendAt = r.sendAtMillis();
            if (r.isValidReport()) {
                TurnoutReport t = r.turnoutReport().orElseThrow();
                TurnoutReport before = reports.computeIfAbsent(t.getBranchId(), k -> new TreeMap<>()).putIfAbsent(t.getSequence(), t);
                if (before != null) assertEquals(before, t, "a sequence number always means the same report");
            }
            r.connectivityEvent().ifPresent(e -> connectivity.computeIfAbsent(e.getBranchId(), k -> new ArrayList<>()).add(e.getKind()));
        }
        assertEquals(ELECTION.branchCount(), reports.size());
        for (int b = 0; b < plan.branchCount(); b++) {
            String id = plan.branches().get(b).id();
            TreeMap<Long, TurnoutReport> seqs = reports.get(id);
            assertEquals(1L, seqs.firstKey());
            assertEquals(seqs.size(), seqs.lastKey(), "sequences 1..n without gaps for " + id);
            long ballots = 0, time = Long.MIN_VALUE;
            for (TurnoutReport t : seqs.values()) {
                assertTrue(t.getBallotsCast() >= ballots, "cumulative count never decreases");
                assertTrue(t.getEventTime().toEpochMilli() > time, "event time increases with the sequence");
                ballots = t.getBallotsCast();
                time = t.getEventTime().toEpochMilli();
            }
            assertEquals(plan.pollsCloseMillis(), time, "the last report is at polls close");
            assertEquals(plan.votersAt(b), ballots);
            List<ConnectivityKind> kinds = connectivity.get(id);
            assertTrue(kinds.contains(ConnectivityKind.OPENED) && kinds.contains(ConnectivityKind.CLOSED));
            assertEquals(ConnectivityKind.CLOSED, kinds.get(kinds.size() - 1));
            assertTrue(kinds.stream().filter(k -> k == ConnectivityKind.HEARTBEAT).count() > 4000, "a heartbeat every 10 s");
        }
    }

    @Test
    void turnoutCurveRisesToTheFinalShareWithRushDipAndPeak() {
        for (int c = 0; c < 50; c++) {
            TurnoutCurve curve = TurnoutCurve.seeded(1403, c);
            assertTrue(curve.finalTurnout() >= 0.35 && curve.finalTurnout() < 0.75, curve.toString());
            assertEquals(0.0, curve.votedShare(0.0));
            assertEquals(1.0, curve.votedShare(1.0));
            assertEquals(curve.finalTurnout(), curve.turnoutAt(1.0));
            double previous = -1;
            for (int i = 0; i <= 1000; i++) {
                double share = curve.votedShare(i / 1000.0);
                assertTrue(share >= previous, "monotone");
                previous = share;
                double back = curve.dayFractionAt(share);
                assertEquals(share, curve.votedShare(back), 1e-9, "inverse");
            }
            double morning = curve.intensity(curve.morningPeak());
            double midday = curve.intensity(0.5);
            double evening = curve.intensity(curve.eveningPeak());
            assertTrue(morning > 1.5 * midday && evening > 1.5 * midday, "rush, dip, peak: " + morning + " " + midday + " " + evening);
        }
        // different constituencies, different curves
        assertNotEquals(TurnoutCurve.seeded(1, 0).finalTurnout(), TurnoutCurve.seeded(1, 1).finalTurnout());
    }

    @Test
    void everyFaultAppearsAtItsRateAndEveryMalformedRecordIsMalformed() {
        ElectionDaySimulator sim = ElectionDaySimulator.of(ELECTION, settings(11, FAULTS));
        ElectionDayPlan plan = sim.plan();
        RecordEncoder encoder = RecordEncoder.withSchemaIds(SimulatorFixtures.TURNOUT_ID, SimulatorFixtures.CONNECTIVITY_ID);
        EnumMap<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);
        long onTimeOrHeld = 0; // valid originals that were not buffered by an outage
        Map<String, Long> lastSentSequence = new HashMap<>();
        long reorderedBehind = 0;
        for (SimulatedRecord r : sim) {
            counts.merge(r.fault(), 1L, Long::sum);
            byte[] value = encoder.encode(r);
            if (r.record() instanceof ConnectivityEvent) continue;
            TurnoutReport decoded = SimulatorFixtures.decodeTurnout(value);
            switch (r.fault()) {
                case NONE, LATE, REORDERED -> {
                    onTimeOrHeld++;
                    assertTrue(SimulatorFixtures.valid(ELECTION, decoded));
                    if (r.fault() == FaultKind.LATE) assertTrue(r.sendAtMillis() - r.eventTimeMillis() >= 120_000);
                    if (r.fault() == FaultKind.REORDERED && lastSentSequence.getOrDefault(decoded.getBranchId(), 0L) > decoded.getSequence()) reorderedBehind++;
                    lastSentSequence.merge(decoded.getBranchId(), decoded.getSequence(), Math::max);
                }
                case DUPLICATE -> assertTrue(SimulatorFixtures.valid(ELECTION, decoded));
                case BRANCH_OUTAGE, REGION_OUTAGE -> {
                    assertTrue(SimulatorFixtures.valid(ELECTION, decoded));
                    PlannedOutage o = plan.outages().stream().filter(x -> x.branchId().equals(decoded.getBranchId())).findFirst().orElseThrow();
                    assertTrue(r.eventTimeMillis() >= o.start().toEpochMilli() && r.eventTimeMillis() < o.end().toEpochMilli());
                    assertTrue(r.sendAtMillis() > o.end().toEpochMilli());
                    lastSentSequence.merge(decoded.getBranchId(), decoded.getSequence(), Math::max);
                }
                case BAD_MAGIC_BYTE -> {
                    assertNotEquals(0, value[0]);
                    assertNull(decoded);
                }
                case CORRUPT_AVRO -> {
                    assertEquals(0, value[0]);
                    assertNull(decoded, "body cut short does not decode");
                }
                case UNKNOWN_BRANCH -> {
                    assertNotNull(decoded);
                    assertTrue(ELECTION.branch(decoded.getBranchId()).isEmpty());
                }
                case WRONG_CONSTITUENCY -> {
                    assertNotNull(decoded);
                    assertNotEquals(ELECTION.branch(decoded.getBranchId()).orElseThrow().constituencyId(), decoded.getConstituencyId());
                }
                case NEGATIVE_COUNT -> assertTrue(decoded.getBallotsCast() < 0);
                default -> throw new AssertionError(r.fault());
            }
        }
        System.out.printf("faults over %,d valid on-line reports: %s; reordered behind a later one: %d%n", onTimeOrHeld, counts, reorderedBehind);
        double n = onTimeOrHeld;
        assertRate("duplicate", FAULTS.duplicate(), counts.get(FaultKind.DUPLICATE) / n);
        assertRate("reorder", FAULTS.reorder(), counts.get(FaultKind.REORDERED) / n);
        assertRate("late", FAULTS.late(), counts.get(FaultKind.LATE) / n);
        for (FaultKind kind : FaultKind.MALFORMED) assertRate(kind.name(), FAULTS.malformed() / 5, counts.get(kind) / n);
        assertTrue(reorderedBehind >= 0.9 * counts.get(FaultKind.REORDERED), "reordered reports arrive behind later ones");
        long branchOutages = plan.outages().stream().filter(o -> o.reason() == PlannedOutage.Reason.BRANCH_LINK).count();
        long regionBranches = plan.outages().stream().filter(o -> o.reason() == PlannedOutage.Reason.REGION).count();
        assertTrue(regionBranches > 0, "some constituency went dark");
        assertRate("outage", FAULTS.outage(), branchOutages / (double) (ELECTION.branchCount() - regionBranches));
        assertTrue(counts.get(FaultKind.BRANCH_OUTAGE) > 0 && counts.get(FaultKind.REGION_OUTAGE) > 0);
    }

    private static void assertRate(String what, double expected, double actual) {
        assertTrue(Math.abs(actual - expected) <= Math.max(0.35 * expected, 0.002),
                what + ": expected about " + expected + " but was " + actual);
    }

    @Test
    void groundTruthMatchesANaiveRecountOfTheBytesSentAndSurvivesJson(@TempDir Path dir) {
        ElectionDaySimulator sim = ElectionDaySimulator.of(ELECTION, settings(5, FAULTS));
        RecordEncoder encoder = RecordEncoder.withSchemaIds(SimulatorFixtures.TURNOUT_ID, SimulatorFixtures.CONNECTIVITY_ID);
        List<byte[]> turnoutValues = new ArrayList<>();
        SimulationRunner.Result result = new SimulationRunner(sim).to(encoder, (topic, key, value, timestamp) -> {
            if (topic.equals(sim.plan().settings().turnoutTopic())) turnoutValues.add(value);
        }).run();
        assertTrue(result.completed());
        GroundTruth truth = result.truth();
        Map<String, long[]> naive = SimulatorFixtures.naiveTruthAt(ELECTION, turnoutValues, sim.plan().pollsCloseMillis());
        long ballots = 0;
        for (var c : ELECTION.constituencies()) {
            GroundTruth.Totals t = truth.constituencies().get(c.id());
            assertArrayEquals(naive.get(c.id()), new long[] {t.ballots(), t.branchesReporting()}, c.id());
            assertEquals(c.branchCount(), t.branchesTotal());
            ballots += t.ballots();
            double turnout = t.ballots() / (double) c.eligibleVoters();
            assertTrue(turnout > 0.30 && turnout < 0.80, c.id() + " turnout " + turnout);
        }
        assertEquals(ballots, truth.national().ballots());
        assertEquals(ELECTION.branchCount(), truth.national().branchesReporting());
        assertEquals(sim.plan().outages().size(), truth.outages().size());
        assertEquals(result.records(), truth.recordsSent());
        assertEquals(12, truth.series().size(), "09:00, 10:00, ... 19:00 and the close");
        for (GroundTruth.SeriesPoint point : truth.series()) {
            Map<String, long[]> then = SimulatorFixtures.naiveTruthAt(ELECTION, turnoutValues, Instant.parse(point.at()).toEpochMilli());
            for (var c : ELECTION.constituencies()) assertEquals(then.get(c.id())[0], point.ballots().get(c.id()), c.id() + " at " + point.at());
        }
        GroundTruth.SeriesPoint close = truth.series().get(11);
        assertEquals(sim.plan().settings().pollsCloseInstant().toString(), close.at());
        for (var c : ELECTION.constituencies()) assertEquals(truth.constituencies().get(c.id()).ballots(), close.ballots().get(c.id()));

        Path file = dir.resolve("truth.json");
        truth.write(file);
        assertEquals(truth, GroundTruth.read(file));
    }

    @Test
    void perBallotModeSendsEveryBallot() {
        Election small = SimulatorFixtures.smallElection(10, 2);
        ElectionDaySimulator sim = ElectionDaySimulator.of(small, SimulationSettings.defaults(small.id()).withPerBallot(true));
        Map<String, Long> last = new HashMap<>();
        long reports = 0;
        for (SimulatedRecord r : sim) {
            if (!r.isValidReport()) continue;
            TurnoutReport t = r.turnoutReport().orElseThrow();
            assertEquals(t.getSequence(), t.getBallotsCast());
            assertEquals(last.getOrDefault(t.getBranchId(), 0L) + 1, t.getSequence(), "in order without faults");
            last.put(t.getBranchId(), t.getSequence());
            reports++;
        }
        long voters = 0;
        for (int b = 0; b < sim.plan().branchCount(); b++) {
            voters += sim.plan().votersAt(b);
            assertEquals(sim.plan().votersAt(b), last.getOrDefault(sim.plan().branches().get(b).id(), 0L));
        }
        assertEquals(voters, reports);
    }

    @Test
    void settingsDefaultToEightToEightTehranTime() {
        SimulationSettings s = SimulationSettings.defaults("e");
        assertEquals("2024-03-01T04:30:00Z", s.pollsOpenInstant().toString());
        assertEquals("2024-03-01T16:30:00Z", s.pollsCloseInstant().toString());
        assertEquals(Duration.ofSeconds(60), s.reportInterval());
        assertEquals(Duration.ofSeconds(10), s.heartbeatInterval());
    }
}
