package org.turnoutstream.audit;

import org.junit.jupiter.api.Test;
import org.turnoutstream.audit.TurnoutAudit.Counts;
import org.turnoutstream.audit.TurnoutAudit.Key;
import org.turnoutstream.audit.TurnoutAudit.Participation;
import org.turnoutstream.audit.TurnoutAudit.ParticipationDifference;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verdict on the participation fields of a run-off r2 (one constituency a of 1,000 eligible, province P; polls
 * 08:00-20:00 UTC; grid 1 h; correction horizon 1 h) against a table (a: 10 % at 10:00, 40 % final). Branch a-1 reports
 * 50 ballots at 09:00, then 100 at 10:00, a report heard only at 12:00: the streaming job leaves its 10:00 point at 50.
 */
class TurnoutAuditParticipationTest {
    static final Election ELECTION = Election.builder("r2").constituency("a", "A", "P", 1000).branch("a-1", "a", "A 1").build();
    static final ElectionCatalog CATALOG = ElectionCatalog.of(ELECTION);
    static final Instant NINE = Instant.parse("2024-03-08T09:00:00Z"), TEN = Instant.parse("2024-03-08T10:00:00Z");
    static final List<TurnoutReport> REPORTS = List.of(report(1, 50, NINE), report(2, 100, TEN));
    static final List<RawRecord> RECORDS = List.of(record(0, NINE), record(1, Instant.parse("2024-03-08T12:00:00Z")));
    static final IndependentParticipation BASELINE = IndependentParticipation.of(ELECTION, "table t.csv", Instant.parse("2024-03-08T08:00:00Z"),
            Instant.parse("2024-03-08T20:00:00Z"), 0.25, IndependentParticipation.fromTable(List.of(
                    "constituency_id,polls_open,polls_close,10:00,final", "a,08:00,20:00,10,40"), "t.csv"));

    static TurnoutReport report(long sequence, long ballots, Instant at) {
        return TurnoutReport.newBuilder().setElection("r2").setBranchId("a-1").setConstituencyId("a").setSequence(sequence)
                .setBallotsCast(ballots).setEventTime(at).build();
    }

    static RawRecord record(int report, Instant heard) {
        return new RawRecord("branch.turnout", 0, report, heard.toEpochMilli(), new byte[0], new byte[] {(byte) report});
    }

    /** Both the live series and the replay as the streaming job writes them: 50 ballots at 09:00 and at 10:00, with their fields. */
    static Map<Key, Counts> counts() {
        Map<Key, Counts> counts = new TreeMap<>();
        for (Instant t : List.of(NINE, TEN)) {
            for (Key k : List.of(Key.constituency("r2", "a", t.toEpochMilli()), Key.province("r2", "P", t.toEpochMilli()), Key.national("r2", t.toEpochMilli()))) {
                counts.put(k, new Counts(50, 1));
            }
        }
        return counts;
    }

    /** 09:00, an hour in: baseline 5 % (halfway to 10 %), today 5 %; 10:00: baseline 10 %, today 5 % (50 ballots); no projection before 11:00. */
    static Map<Key, Participation> fields() {
        Map<Key, Participation> fields = new TreeMap<>();
        counts().keySet().forEach(k -> fields.put(k, k.time() == NINE.toEpochMilli() ? new Participation(5.0, 0.0, null) : new Participation(10.0, -5.0, null)));
        return fields;
    }

    static TurnoutAudit.Result audit(Map<Key, Participation> live) throws IOException {
        ReportValidator validator = new ReportValidator(CATALOG, Duration.ZERO, 1_000_000);
        IndependentRecount.Result recount = new IndependentRecount(CATALOG, v -> REPORTS.get(v[0]), validator, Duration.ofHours(1))
                .addAll(RECORDS.iterator()).compute();
        return TurnoutAudit.compare(recount, counts(), counts(), new TurnoutAudit.ParticipationInput(Map.of("r2", BASELINE), live, fields()),
                RECORDS::iterator, v -> REPORTS.get(v[0]), validator, Duration.ofHours(1));
    }

    @Test
    void fieldsThatFollowAPointLeftAsWrittenAfterTheHorizonAreExplained() throws IOException {
        TurnoutAudit.Result result = audit(fields());
        assertEquals(Map.of("r2", 6), result.participationCompared(), "a, P and the nation at 09:00 and 10:00");
        assertEquals(3, result.differences().size(), "the ballots at 10:00: 50 written, 100 recounted");
        List<ParticipationDifference> differences = result.participationDifferences();
        assertEquals(3, differences.size(), differences.toString());
        for (ParticipationDifference d : differences) {
            assertEquals(TEN.toEpochMilli(), d.key().time());
            assertEquals(new Participation(10.0, 0.0, null), d.recount(), "100 of 1,000 against 10 %");
            assertTrue(d.explained(), d.explanation());
        }
        assertEquals("a at 2024-03-08T10:00:00Z: live vs_baseline_pts -5.0; replay vs_baseline_pts -5.0 but the recount with the baseline"
                + " (table t.csv) gives vs_baseline_pts 0.0. EXPLAINED: they are what the baseline gives for the point's own ballots, which differ"
                + " from the recount's as explained for them (reports after the correction horizon)", differences.get(0).explanation());
        assertEquals(0, result.unexplained());
        assertEquals(6, result.allDifferences());
    }

    @Test
    void aFieldThatDoesNotFollowThePointsBallotsIsUnexplained() throws IOException {
        Map<Key, Participation> live = fields();
        live.put(Key.constituency("r2", "a", NINE.toEpochMilli()), new Participation(5.0, 3.0, null));
        live.put(Key.national("r2", NINE.toEpochMilli()), Participation.NONE); // written by a job without --baseline
        TurnoutAudit.Result result = audit(live);
        assertEquals(2, result.unexplained());
        List<String> unexplained = result.participationDifferences().stream().filter(d -> !d.explained()).map(ParticipationDifference::explanation).toList();
        assertEquals(List.of(
                "a at 2024-03-08T09:00:00Z: live vs_baseline_pts 3.0 but the recount with the baseline (table t.csv) gives vs_baseline_pts 0.0."
                        + " UNEXPLAINED: the live fields are not what the baseline gives for the point's own ballots",
                "national at 2024-03-08T09:00:00Z: live no baseline_pct, no vs_baseline_pts but the recount with the baseline (table t.csv)"
                        + " gives baseline_pct 5.0, vs_baseline_pts 0.0. UNEXPLAINED: the live fields are not what the baseline gives for the"
                        + " point's own ballots"), unexplained);
    }
}
