package org.turnoutstream.workflows;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.audit.IndependentRecount;
import org.turnoutstream.audit.IndependentRecount.PointKey;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDayFixtures;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.ElectionDayScenario.CONSTITUENCIES;
import static org.turnoutstream.workflows.ElectionDayScenario.ELECTION;

/**
 * The independent recount against the scenario's naive truth (the same truth the live job's
 * end-to-end tests are held to), with duplicates, reordering, late and malformed records.
 */
class IndependentRecountTest {
    static final long GRID = 10_000;
    static final int SCHEMA_ID = 7;

    @TempDir Path work;

    /** Confluent framing with a fixed schema id: no registry needed to recount. */
    static byte[] encode(TurnoutReport report) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(new byte[]{0, 0, 0, SCHEMA_ID});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(TurnoutReport.class).write(report, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static TurnoutReport decode(byte[] value) throws DecodeException {
        if (value == null || value.length < 5) throw new DecodeException(DecodeException.Reason.EMPTY_VALUE, "too short");
        if (value[0] != 0) throw new DecodeException(DecodeException.Reason.BAD_MAGIC_BYTE, "magic " + value[0]);
        try {
            return new SpecificDatumReader<>(TurnoutReport.class).read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(DecodeException.Reason.CORRUPT_AVRO, e.toString());
        }
    }

    static List<RawRecord> records(List<TurnoutReport> reports) throws IOException {
        List<RawRecord> out = new ArrayList<>();
        long offset = 0;
        for (TurnoutReport r : reports) {
            out.add(new RawRecord("branch.turnout", 0, offset++, r.getEventTime().toEpochMilli(),
                    r.getBranchId().getBytes(StandardCharsets.UTF_8), encode(r)));
        }
        return out;
    }

    IndependentRecount.Result recount(List<RawRecord> records) throws IOException {
        ElectionCatalog catalog = ElectionCatalog.load(Map.of(ELECTION, ElectionDayScenario.writeReferenceData(work.resolve("reference"))));
        IndependentRecount recount = new IndependentRecount(catalog, IndependentRecountTest::decode,
                new ReportValidator(catalog, Duration.ZERO, 100_000), IndependentRecount.DEFAULT_GRID);
        return recount.addAll(records.iterator()).compute();
    }

    static ElectionDayScenario faultyDay() {
        return new ElectionDayScenario(7, 30).withDuplicates(25, 1).withReordering(40, 2).withLateReports(10, 3);
    }

    static long instantFor(long time) {
        return Math.floorDiv(time + GRID - 1, GRID) * GRID;
    }

    static String constituencyTags(ElectionDayScenario.Constituency c) {
        return "constituency=" + c.id() + ",election=" + ELECTION + ",province=" + c.province();
    }

    @Test
    void equalsTheNaiveTruthAtEveryInstantWithSilentConstituenciesAtZero() throws IOException {
        ElectionDayScenario day = faultyDay();
        List<RawRecord> records = records(day.sent);
        // malformed and invalid records are not counted
        records.add(new RawRecord("branch.turnout", 0, 10_000, 0, null, new byte[]{1, 0, 0, 0, 1, 2}));
        records.add(new RawRecord("branch.turnout", 0, 10_001, 0, null, encode(ElectionDayScenario.report("alb-nowhere-0001", "karaj", 1, 500, 0))));
        records.add(new RawRecord("branch.turnout", 0, 10_002, 0, null, encode(ElectionDayScenario.report("alb-karaj-0001", "karaj", 999, -5, 0))));
        IndependentRecount.Result result = recount(records);
        assertEquals(Map.of(RejectionReason.BAD_MAGIC_BYTE, 1L, RejectionReason.UNKNOWN_BRANCH, 1L, RejectionReason.NEGATIVE_COUNT, 1L), result.rejected());

        SortedMap<PointKey, Map<String, Object>> points = result.points();
        long first = instantFor(day.firstEventTime()), last = instantFor(day.lastEventTime());
        int instants = (int) ((last - first) / GRID) + 1;
        // per instant: 4 constituencies, 2 provinces, the nation
        assertEquals(instants * (CONSTITUENCIES.size() + 2 + 1), points.size());
        for (long t = first; t <= last; t += GRID) {
            Map<String, long[]> truth = day.truthAt(t);
            long nation = 0, nationReporting = 0;
            for (ElectionDayScenario.Constituency c : CONSTITUENCIES) {
                Map<String, Object> point = points.get(new PointKey("constituency_turnout", constituencyTags(c), t));
                assertEquals(truth.get(c.id())[0], point.get("ballots"), c.id() + " at " + t);
                assertEquals(truth.get(c.id())[1], point.get("branches_reporting"), c.id() + " at " + t);
                assertEquals(c.eligible(), point.get("eligible"));
                assertEquals((long) c.branches().size(), point.get("branches_total"));
                nation += truth.get(c.id())[0];
                nationReporting += truth.get(c.id())[1];
            }
            long alborz = truth.get("karaj")[0] + truth.get("fardis")[0];
            assertEquals(alborz, points.get(new PointKey("province_turnout", "election=" + ELECTION + ",province=Alborz", t)).get("ballots"));
            Map<String, Object> national = points.get(new PointKey("national_turnout", "election=" + ELECTION, t));
            assertEquals(nation, national.get("ballots"), "nation at " + t);
            assertEquals(nationReporting, national.get("branches_reporting"));
            assertEquals(4_300L, national.get("eligible"));
            assertEquals(nation * 100.0 / 4_300, (double) national.get("turnout_pct"), 1e-9);
            Map<String, Object> silent = points.get(new PointKey("constituency_turnout", constituencyTags(CONSTITUENCIES.get(3)), t));
            assertEquals(0L, silent.get("ballots"), "the silent constituency shows zero");
            assertEquals(0L, silent.get("branches_reporting"));
        }
        Map<String, long[]> end = result.finalTotals().get(ELECTION);
        Map<String, long[]> truth = day.truthAt(day.lastEventTime());
        for (ElectionDayScenario.Constituency c : CONSTITUENCIES) assertEquals(List.of(truth.get(c.id())[0], truth.get(c.id())[1]), List.of(end.get(c.id())[0], end.get(c.id())[1]));
    }

    @Test
    void theDigestIsStableAcrossArrivalOrderAndChangesWithTheTotals() throws IOException {
        ElectionDayScenario day = faultyDay();
        IndependentRecount.Result asSent = recount(records(day.sent));
        // another arrival order: duplicates are identical, so first-seen cannot differ
        List<TurnoutReport> shuffled = new ArrayList<>(day.sent);
        Collections.shuffle(shuffled, new Random(99));
        IndependentRecount.Result otherOrder = recount(records(shuffled));
        assertEquals(asSent.digest(), otherOrder.digest());
        assertEquals(asSent.points(), otherOrder.points(), "not only the totals: every point");
        assertEquals(64, asSent.digest().length());
        assertTrue(asSent.canonicalFinalTotals().startsWith(IndependentRecount.Result.DIGEST_HEADER + "\n" + ELECTION + "\tfardis\t"),
                asSent.canonicalFinalTotals());
        assertTrue(asSent.canonicalFinalTotals().contains(ELECTION + "\tshemiranat\t0\t0\n"));

        // one more ballot at one branch's last report changes the digest
        List<TurnoutReport> changed = new ArrayList<>(day.sent);
        TurnoutReport lastOfKaraj = changed.stream().filter(r -> r.getBranchId().equals("alb-karaj-0001"))
                .max((a, b) -> Long.compare(a.getSequence(), b.getSequence())).orElseThrow();
        changed.add(TurnoutReport.newBuilder(lastOfKaraj).setSequence(lastOfKaraj.getSequence() + 1)
                .setBallotsCast(lastOfKaraj.getBallotsCast() + 1).build());
        assertNotEquals(asSent.digest(), recount(records(changed)).digest());
    }

    @Test
    void aLowerSequenceAfterAHigherOneChangesNothingAndTheFirstOfASequenceCounts() throws IOException {
        long t0 = 0;
        List<TurnoutReport> reports = List.of(
                ElectionDayScenario.report("alb-fardis-0001", "fardis", 5, 50, t0 + 1_000),
                ElectionDayScenario.report("alb-fardis-0001", "fardis", 4, 40, t0 + 15_000),   // lower sequence, later time: ignored
                ElectionDayScenario.report("alb-fardis-0001", "fardis", 6, 60, t0 + 25_000),
                ElectionDayScenario.report("alb-fardis-0001", "fardis", 6, 66, t0 + 26_000),   // same sequence, other content: first counts
                ElectionDayScenario.report("alb-fardis-0001", "fardis", 3, 30, t0 + 500));     // late, lower: counts only before 1 s
        SortedMap<PointKey, Map<String, Object>> points = recount(records(reports)).points();
        String tags = "constituency=fardis,election=" + ELECTION + ",province=Alborz";
        long open = ElectionDayFixtures.POLLS_OPEN.toEpochMilli();
        assertEquals(50L, points.get(new PointKey("constituency_turnout", tags, open + 10_000)).get("ballots"));
        assertEquals(50L, points.get(new PointKey("constituency_turnout", tags, open + 20_000)).get("ballots"));
        assertEquals(60L, points.get(new PointKey("constituency_turnout", tags, open + 30_000)).get("ballots"));
        assertEquals(1L, points.get(new PointKey("constituency_turnout", tags, open + 30_000)).get("branches_reporting"));
    }
}
