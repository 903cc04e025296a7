package org.turnoutstream.functions;

import java.util.Objects;

/**
 * A change to one branch's contribution to its constituency, effective from {@code effectiveTime}
 * onwards: the points at every grid instant at or after it change by these amounts. Summing a
 * branch's deltas up to T gives its count as of T, which is how late and reordered reports correct
 * history without the tally ever seeing a branch's reports.
 */
public class BranchDelta {
    public String election;
    public String constituencyId;
    public long effectiveTime;
    public long ballots;
    public int reporting;

    public BranchDelta() {}

    public BranchDelta(String election, String constituencyId, long effectiveTime, long ballots, int reporting) {
        this.election = election;
        this.constituencyId = constituencyId;
        this.effectiveTime = effectiveTime;
        this.ballots = ballots;
        this.reporting = reporting;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BranchDelta)) return false;
        BranchDelta d = (BranchDelta) o;
        return effectiveTime == d.effectiveTime && ballots == d.ballots && reporting == d.reporting
                && Objects.equals(election, d.election) && Objects.equals(constituencyId, d.constituencyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(election, constituencyId, effectiveTime, ballots, reporting);
    }

    @Override
    public String toString() {
        return "BranchDelta{" + election + "/" + constituencyId + " @" + effectiveTime + " ballots" + (ballots >= 0 ? "+" : "")
                + ballots + " reporting" + (reporting >= 0 ? "+" : "") + reporting + "}";
    }
}
