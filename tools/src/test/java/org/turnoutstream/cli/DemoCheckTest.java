package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.cli.DemoFixtures.DAY;
import static org.turnoutstream.cli.DemoFixtures.POLLS_CLOSE;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.turnoutstream.cli.DemoReadings.Row;
import org.turnoutstream.cli.DemoReadings.Snapshot;
import org.turnoutstream.simulator.GroundTruth;

/** The demo's verdict: InfluxDB's final totals against the simulator's ground truth, the dead letters against the malformed records. */
class DemoCheckTest {

    /** What the simulator sent: 790 ballots from Karaj's 3 branches, 330 from Fardis' 2. */
    private static final GroundTruth TRUTH = truth(790, 3, 330, 2);

    @Test
    void totalsMatchWhenInfluxDbHoldsEveryConstituencyAndTheNationAsSent() {
        Snapshot influx = influx(new Row(1_120, 1_500, 74.67, 5, 5), new Row(790, 1_000, 79.0, 3, 3), new Row(330, 500, 66.0, 2, 2));

        assertTrue(DemoCheck.totalsMatch(influx, TRUTH));
        assertEquals(List.of(DemoCheck.MATCH_LINE), DemoCheck.verdict(influx, TRUTH, 12, 12, DAY).lines().toList());
    }

    @Test
    void aConstituencyShortOfBallotsIsAMismatchAndMarked() {
        Snapshot influx = influx(new Row(1_110, 1_500, 74.0, 5, 5), new Row(780, 1_000, 78.0, 3, 3), new Row(330, 500, 66.0, 2, 2));

        assertFalse(DemoCheck.totalsMatch(influx, TRUTH));
        assertEquals(List.of(
                "totals match ground truth: NO",
                "                   ground truth     InfluxDB difference  branches truth/db",
                "  Karaj                     790          780        -10        3/3          <--",
                "  Fardis                    330          330          0        2/2        ",
                "  national                1,120        1,110        -10"), DemoCheck.verdict(influx, TRUTH, 12, 12, DAY).lines().toList());
    }

    @Test
    void aBranchMissingFromTheReportingCountIsAMismatchEvenWithTheRightBallots() {
        Snapshot influx = influx(new Row(1_120, 1_500, 74.67, 4, 5), new Row(790, 1_000, 79.0, 3, 3), new Row(330, 500, 66.0, 1, 2));

        assertFalse(DemoCheck.totalsMatch(influx, TRUTH));
        assertEquals("  Fardis                    330          330          0        2/1          <--",
                DemoCheck.mismatchTable(influx, TRUTH, DAY).lines().toList().get(2));
    }

    @Test
    void whatInfluxDbLacksIsMissing() {
        Snapshot influx = new Snapshot(null, Map.of("karaj", new Row(790, 1_000, 79.0, 3, 3)), 0, Map.of());

        assertFalse(DemoCheck.totalsMatch(influx, TRUTH));
        assertEquals(List.of(
                "                   ground truth     InfluxDB difference  branches truth/db",
                "  Karaj                     790          790          0        3/3        ",
                "  Fardis                    330      missing       -330        2/-          <--",
                "  national                1,120      missing     -1,120"), DemoCheck.mismatchTable(influx, TRUTH, DAY).lines().toList());
    }

    @Test
    void deadLettersThatDoNotAddUpAreReportedAfterMatchingTotals() {
        Snapshot influx = influx(new Row(1_120, 1_500, 74.67, 5, 5), new Row(790, 1_000, 79.0, 3, 3), new Row(330, 500, 66.0, 2, 2));

        assertEquals(List.of(DemoCheck.MATCH_LINE, "dead-letter count does not match: 11 in turnout.dlq, 12 malformed records sent"),
                DemoCheck.verdict(influx, TRUTH, 11, 12, DAY).lines().toList());
    }

    private static Snapshot influx(Row national, Row karaj, Row fardis) {
        return new Snapshot(national, Map.of("karaj", karaj, "fardis", fardis), POLLS_CLOSE, Map.of());
    }

    private static GroundTruth truth(long karajBallots, int karajReporting, long fardisBallots, int fardisReporting) {
        Map<String, GroundTruth.Totals> constituencies = new LinkedHashMap<>();
        constituencies.put("karaj", new GroundTruth.Totals("alborz", karajBallots, karajReporting, 3, 1_000));
        constituencies.put("fardis", new GroundTruth.Totals("alborz", fardisBallots, fardisReporting, 2, 500));
        GroundTruth.Totals national = new GroundTruth.Totals(null, karajBallots + fardisBallots, karajReporting + fardisReporting, 5, 1_500);
        return new GroundTruth(DemoFixtures.ELECTION, "2024-03-01T04:30:00Z", "2024-03-01T16:30:00Z", 1403, 5_678, national, constituencies,
                List.of(), Map.of(), List.of());
    }
}
