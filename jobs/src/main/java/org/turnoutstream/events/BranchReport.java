package org.turnoutstream.events;

/** A decoded, validated turnout report: a branch's cumulative ballots at eventTime. */
public class BranchReport {
    public String election;
    public String branchId;
    public String constituencyId;
    public long sequence;
    public long ballotsCast;
    public long eventTime;

    public BranchReport() {}

    public BranchReport(String election, String branchId, String constituencyId, long sequence, long ballotsCast, long eventTime) {
        this.election = election;
        this.branchId = branchId;
        this.constituencyId = constituencyId;
        this.sequence = sequence;
        this.ballotsCast = ballotsCast;
        this.eventTime = eventTime;
    }

    /** Keys a branch's reports; elections never mix, so a run-off's branch is another key. */
    public String branchKey() {
        return election + '\u001f' + branchId;
    }

    @Override
    public String toString() {
        return "BranchReport{" + election + "/" + branchId + " (" + constituencyId + ") seq=" + sequence
                + " ballots=" + ballotsCast + " t=" + eventTime + "}";
    }
}
