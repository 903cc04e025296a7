package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.turnoutstream.cli.DemoFixtures.DAY;
import static org.turnoutstream.cli.DemoFixtures.POLLS_CLOSE;
import static org.turnoutstream.cli.DemoFixtures.TEN_FORTY;
import static org.turnoutstream.cli.DemoFixtures.TEN_THIRTY;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.turnoutstream.cli.DemoReadings.Row;
import org.turnoutstream.cli.DemoReadings.Snapshot;

/** The live table, line by line: what InfluxDB holds next to what the simulator planned. */
class DemoTableTest {

    /**
     * At 10:40 InfluxDB has points up to 10:30: Karaj fully reporting (one branch down), Fardis one branch of two and far
     * behind the first round.
     */
    private static final Snapshot AT_TEN_FORTY = new Snapshot(
            new Row(600, 1_500, 40.0, 4, 5, -2.5, 61.25),
            Map.of("karaj", new Row(450, 1_000, 45.0, 3, 3, 1.0, 70.0), "fardis", new Row(150, 500, 30.0, 1, 2, -12.345, null)),
            TEN_THIRTY,
            Map.of("karaj", 1L));

    private static final String LEGEND = "vs round 1 = percentage points against the first round at the same time of its day (negative: behind); "
            + "down = branches the job detects as down (InfluxDB, up to its watermark); "
            + "dark = branches in one of the simulator's planned outages now (the simulator's view)";

    /** Constituencies in the reference data's order (by id: Fardis, then Karaj). */
    @Test
    void midDayTheTableShowsInfluxDbNextToThePlannedOutages() {
        String table = DemoTable.render(DAY, AT_TEN_FORTY, TEN_FORTY, 1_234, 5_678, false);

        assertEquals(List.of(
                "2024-demo-test  simulated 10:40:00  [#######-----------------------]  22%  sent 1,234/5,678 records",
                "NATIONAL  ballots 600 of 1,500 eligible  turnout 40.00 % (-2.50 pts vs round 1, projected 61.3 %)  branches 4/5  down 1  dark 3  (InfluxDB up to 10:30:00)",
                "constituency        ballots    eligible   turnout  vs round 1    branches  down  dark  ",
                "Fardis                  150         500   30.00 %  -12.35 pts     1/2         0     2  ######--------------",
                "Karaj                   450       1,000   45.00 %   +1.00 pts     3/3         1     1  #########-----------",
                LEGEND), lines(table));
    }

    @Test
    void beforeTheFirstPointsTheTableSaysSoAndShowsZeros() {
        Snapshot empty = new Snapshot(null, Map.of(), 0, Map.of());

        String table = DemoTable.render(DAY, empty, DemoFixtures.POLLS_OPEN, 0, 5_678, false);

        assertEquals(List.of(
                "2024-demo-test  simulated 08:00:00  [------------------------------]   0%  sent 0/5,678 records",
                "NATIONAL  (no points in InfluxDB yet)  dark 0",
                "constituency        ballots    eligible   turnout  vs round 1    branches  down  dark  ",
                "Fardis                    0         500    0.00 %           -     0/2         0     0  --------------------",
                "Karaj                     0       1,000    0.00 %           -     0/3         0     0  --------------------",
                LEGEND), lines(table));
    }

    @Test
    void theFinalTableIsHeadedSoAndSaysThePollsClosed() {
        Snapshot closed = new Snapshot(new Row(1_120, 1_500, 74.67, 5, 5),
                Map.of("karaj", new Row(790, 1_000, 79.0, 3, 3), "fardis", new Row(330, 500, 66.0, 2, 2)), POLLS_CLOSE, Map.of());

        String table = DemoTable.render(DAY, closed, POLLS_CLOSE, 5_678, 5_678, true);

        assertEquals(List.of(
                "== final ==",
                "2024-demo-test  simulated 20:00:00  [##############################] 100%  sent 5,678/5,678 records  (polls closed)",
                "NATIONAL  ballots 1,120 of 1,500 eligible  turnout 74.67 %  branches 5/5  down 0  dark 0  (InfluxDB up to 20:00:00)",
                "constituency        ballots    eligible   turnout  vs round 1    branches  down  dark  ",
                "Fardis                  330         500   66.00 %           -     2/2         0     0  #############-------",
                "Karaj                   790       1,000   79.00 %           -     3/3         0     0  ################----",
                LEGEND), lines(table));
    }

    private static List<String> lines(String text) {
        assertEquals('\n', text.charAt(text.length() - 1), "the table ends with a newline");
        return text.lines().toList();
    }
}
