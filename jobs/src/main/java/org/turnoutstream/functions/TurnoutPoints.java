package org.turnoutstream.functions;

import org.turnoutstream.points.InfluxPoint;

/** The turnout measurements written to InfluxDB: one shape for constituency, province and nation. */
public final class TurnoutPoints {
    public static final String CONSTITUENCY = "constituency_turnout";
    public static final String PROVINCE = "province_turnout";
    public static final String NATIONAL = "national_turnout";

    private TurnoutPoints() {}

    public static InfluxPoint constituency(String election, String province, String constituency, long instant,
                                           long ballots, long eligible, long reporting, long branchesTotal) {
        return withFields(InfluxPoint.measurement(CONSTITUENCY).tag("election", election).tag("province", province)
                .tag("constituency", constituency), instant, ballots, eligible, reporting, branchesTotal);
    }

    public static InfluxPoint province(String election, String province, long instant,
                                       long ballots, long eligible, long reporting, long branchesTotal) {
        return withFields(InfluxPoint.measurement(PROVINCE).tag("election", election).tag("province", province),
                instant, ballots, eligible, reporting, branchesTotal);
    }

    public static InfluxPoint national(String election, long instant, long ballots, long eligible, long reporting, long branchesTotal) {
        return withFields(InfluxPoint.measurement(NATIONAL).tag("election", election), instant, ballots, eligible, reporting, branchesTotal);
    }

    /** Ballots as a share of eligible voters, in percent; 0 where nobody is eligible. */
    public static double turnoutPercent(long ballots, long eligible) {
        return eligible > 0 ? ballots * 100.0 / eligible : 0.0;
    }

    private static InfluxPoint withFields(InfluxPoint.Builder point, long instant, long ballots, long eligible,
                                          long reporting, long branchesTotal) {
        return point.field("ballots", ballots)
                .field("eligible", eligible)
                .field("turnout_pct", turnoutPercent(ballots, eligible))
                .field("branches_reporting", reporting)
                .field("branches_total", branchesTotal)
                .time(instant)
                .build();
    }
}
