package org.turnoutstream.events;

import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Checks a decoded report against the reference data and common sense, before it may count. */
public final class ReportValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A failed check: the reason code and a sentence for the operator. */
    public record Rejection(RejectionReason reason, String detail) {}

    /** Event times outside this range are certainly wrong clocks (and would overflow the grid). */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    private final ElectionCatalog catalog;
    private final long maxClockSkewMillis;
    private final long maxBranchBallots;

    /**
     * @param maxClockSkew how far in the future a report may be dated; zero or negative disables the check
     * @param maxBranchBallots the most ballots one branch can physically take in a day; larger counts are corrupt
     */
    public ReportValidator(ElectionCatalog catalog, Duration maxClockSkew, long maxBranchBallots) {
        this.catalog = catalog;
        this.maxClockSkewMillis = maxClockSkew.toMillis();
        this.maxBranchBallots = maxBranchBallots;
    }

    public Optional<Rejection> check(TurnoutReport report, long nowMillis) {
        Optional<Election> election = catalog.election(report.getElection());
        if (election.isEmpty()) {
            return reject(RejectionReason.UNKNOWN_ELECTION, "election '" + report.getElection() + "' is not in the reference data");
        }
        Optional<Branch> branch = election.get().branch(report.getBranchId());
        if (branch.isEmpty()) {
            return reject(RejectionReason.UNKNOWN_BRANCH, "branch '" + report.getBranchId() + "' is not a branch of election " + report.getElection());
        }
        if (!branch.get().constituencyId().equals(report.getConstituencyId())) {
            return reject(RejectionReason.WRONG_CONSTITUENCY, "branch '" + report.getBranchId() + "' belongs to constituency '"
                    + branch.get().constituencyId() + "', not '" + report.getConstituencyId() + "'");
        }
        if (report.getBallotsCast() < 0) {
            return reject(RejectionReason.NEGATIVE_COUNT, "ballotsCast is negative: " + report.getBallotsCast());
        }
        if (report.getBallotsCast() > maxBranchBallots) {
            return reject(RejectionReason.COUNT_TOO_LARGE, "ballotsCast " + report.getBallotsCast()
                    + " is more than one branch can take (--max-branch-ballots " + maxBranchBallots + ")");
        }
        if (report.getSequence() < 0) {
            return reject(RejectionReason.NEGATIVE_SEQUENCE, "sequence is negative: " + report.getSequence());
        }
        if (report.getEventTime().isBefore(EARLIEST) || report.getEventTime().isAfter(LATEST)) {
            return reject(RejectionReason.EVENT_TIME_OUT_OF_RANGE, "eventTime " + report.getEventTime() + " is not a plausible clock reading");
        }
        long eventTime = report.getEventTime().toEpochMilli();
        if (maxClockSkewMillis > 0 && eventTime > nowMillis + maxClockSkewMillis) {
            return reject(RejectionReason.EVENT_TIME_IN_FUTURE, "eventTime " + report.getEventTime()
                    + " is more than " + Duration.ofMillis(maxClockSkewMillis) + " ahead of this job's clock");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(RejectionReason reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
