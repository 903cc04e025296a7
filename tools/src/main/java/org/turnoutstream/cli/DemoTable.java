package org.turnoutstream.cli;

import java.util.Locale;
import java.util.Map;
import org.turnoutstream.cli.DemoReadings.Row;
import org.turnoutstream.cli.DemoReadings.Snapshot;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;

/**
 * The demo's live table: what InfluxDB holds (national and per constituency: ballots, turnout, branches reporting,
 * branches the job sees down) next to the simulator's view (the feed's progress, branches dark in a planned outage).
 */
final class DemoTable {

    private DemoTable() {}

    /**
     * The table at simulated time {@code now}, {@code sent} of {@code records} records sent; {@code last}: the final
     * table, headed so. Each line ends with a newline.
     */
    static String render(DemoDay day, Snapshot s, long now, long sent, long records, boolean last) {
        Election election = day.election();
        double progress = Math.max(0, Math.min(1, (double) (now - day.pollsOpen()) / (day.pollsClose() - day.pollsOpen())));
        Map<String, Integer> dark = day.darkAt(now);
        int darkTotal = dark.values().stream().mapToInt(Integer::intValue).sum();
        long downTotal = s.down().values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder();
        b.append(last ? "== final ==\n" : "");
        b.append(String.format(Locale.ROOT, "%s  simulated %s  [%s] %3.0f%%  sent %,d/%,d records%s%n",
                election.id(), day.localTime(now), bar(progress, 30), progress * 100, sent, records,
                now >= day.pollsClose() ? "  (polls closed)" : ""));
        String dataUpTo = s.nationalTime() == 0 ? "--:--:--" : day.localTime(s.nationalTime());
        if (s.national() != null) {
            b.append(String.format(Locale.ROOT, "NATIONAL  ballots %,d of %,d eligible  turnout %.2f %%%s  branches %,d/%,d  down %d  dark %d  (InfluxDB up to %s)%n",
                    s.national().ballots(), election.eligibleVoters(), pct(s.national().ballots(), election.eligibleVoters()),
                    comparison(s.national()), s.national().reporting(), election.branchCount(), downTotal, darkTotal, dataUpTo));
        } else {
            b.append(String.format(Locale.ROOT, "NATIONAL  (no points in InfluxDB yet)  dark %d%n", darkTotal));
        }
        b.append(String.format(Locale.ROOT, "%-15s %11s %11s %9s %11s %11s %5s %5s  %s%n", "constituency", "ballots", "eligible", "turnout",
                "vs round 1", "branches", "down", "dark", ""));
        for (Constituency c : election.constituencies()) {
            Row row = s.constituencies().get(c.id());
            long ballots = row == null ? 0 : row.ballots();
            long reporting = row == null ? 0 : row.reporting();
            double p = pct(ballots, c.eligibleVoters());
            b.append(String.format(Locale.ROOT, "%-15s %,11d %,11d %7.2f %% %11s %5d/%-5d %5d %5d  %s%n", c.name(), ballots, c.eligibleVoters(), p,
                    points(row), reporting, c.branchCount(), s.down().getOrDefault(c.id(), 0L), dark.getOrDefault(c.id(), 0), bar(p / 100, 20)));
        }
        b.append("vs round 1 = percentage points against the first round at the same time of its day (negative: behind); "
                + "down = branches the job detects as down (InfluxDB, up to its watermark); "
                + "dark = branches in one of the simulator's planned outages now (the simulator's view)\n");
        return b.toString();
    }

    /** The national comparison: points against round 1, and the projection once there is one; "" without a baseline. */
    private static String comparison(Row national) {
        if (national.vsBaseline() == null) return "";
        return String.format(Locale.ROOT, " (%+.2f pts vs round 1%s)", national.vsBaseline(),
                national.projected() == null ? "" : String.format(Locale.ROOT, ", projected %.1f %%", national.projected()));
    }

    /** A constituency's points against round 1, "-" while it has none. */
    private static String points(Row row) {
        return row == null || row.vsBaseline() == null ? "-" : String.format(Locale.ROOT, "%+.2f pts", row.vsBaseline());
    }

    /** {@code width} characters, '#' for the part done. */
    static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "#".repeat(filled) + "-".repeat(width - filled);
    }

    private static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
