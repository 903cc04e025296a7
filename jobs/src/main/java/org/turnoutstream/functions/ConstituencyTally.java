package org.turnoutstream.functions;

/**
 * One constituency's totals inside {@link ElectionTally}: the totals as of the last emitted instant,
 * the changes waiting for later instants, and the emitted points still open to correction.
 */
public class ConstituencyTally {
    public long ballots;
    public long reporting;
    /** Changes at instants not yet emitted (per instant, not cumulative). */
    public InstantTotals pending = new InstantTotals();
    /** Emitted totals within the correction horizon (cumulative). */
    public InstantTotals emitted = new InstantTotals();
    /** The earliest emitted instant a late report changed since the last flush; Long.MAX_VALUE when none. */
    public long dirtyFrom = Long.MAX_VALUE;

    public ConstituencyTally() {}
}
