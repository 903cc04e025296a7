package org.turnoutstream.cli;

import java.util.Locale;
import java.util.Map;
import org.turnoutstream.cli.DemoReadings.Row;
import org.turnoutstream.cli.DemoReadings.Snapshot;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.simulator.GroundTruth;

/**
 * The demo's verdict: InfluxDB's final totals against the simulator's ground truth (every constituency's ballots and
 * branches reporting, the national ballots), and the dead letters on the topic against the malformed records sent.
 */
final class DemoCheck {
    static final String MATCH_LINE = "totals match ground truth: YES";

    private DemoCheck() {}

    static boolean totalsMatch(Snapshot s, GroundTruth truth) {
        if (s.national() == null || s.national().ballots() != truth.national().ballots()) return false;
        for (Map.Entry<String, GroundTruth.Totals> t : truth.constituencies().entrySet()) {
            Row row = s.constituencies().get(t.getKey());
            if (row == null || row.ballots() != t.getValue().ballots() || row.reporting() != t.getValue().branchesReporting()) return false;
        }
        return true;
    }

    /** The lines that end the run: whether the totals match (if not, side by side), whether the dead letters do. */
    static String verdict(Snapshot s, GroundTruth truth, long deadLetters, long malformedSent, DemoDay day) {
        StringBuilder b = new StringBuilder();
        if (totalsMatch(s, truth)) {
            b.append(MATCH_LINE).append(System.lineSeparator());
        } else {
            b.append("totals match ground truth: NO").append(System.lineSeparator());
            b.append(mismatchTable(s, truth, day));
        }
        if (deadLetters != malformedSent) {
            b.append(String.format("dead-letter count does not match: %d in %s, %d malformed records sent%n", deadLetters, Topics.DEAD_LETTER,
                    malformedSent));
        }
        return b.toString();
    }

    /** Ground truth and InfluxDB per constituency and national; '<--' marks a constituency that differs. */
    static String mismatchTable(Snapshot s, GroundTruth truth, DemoDay day) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "  %-16s %12s %12s %10s %18s%n", "", "ground truth", "InfluxDB", "difference", "branches truth/db"));
        for (Map.Entry<String, GroundTruth.Totals> t : truth.constituencies().entrySet()) {
            Row row = s.constituencies().get(t.getKey());
            long want = t.getValue().ballots();
            long got = row == null ? 0 : row.ballots();
            boolean same = row != null && got == want && row.reporting() == t.getValue().branchesReporting();
            b.append(String.format(Locale.ROOT, "  %-16s %,12d %12s %,10d %8d/%-9s%s%n", day.constituencyName(t.getKey()), want,
                    row == null ? "missing" : String.format(Locale.ROOT, "%,d", got), got - want, t.getValue().branchesReporting(),
                    row == null ? "-" : String.valueOf(row.reporting()), same ? "" : "  <--"));
        }
        long national = s.national() == null ? 0 : s.national().ballots();
        b.append(String.format(Locale.ROOT, "  %-16s %,12d %12s %,10d%n", "national", truth.national().ballots(),
                s.national() == null ? "missing" : String.format(Locale.ROOT, "%,d", national), national - truth.national().ballots()));
        return b.toString();
    }
}
