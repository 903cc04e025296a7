package org.turnoutstream.events;

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

    ElectionCatalog catalog() { return catalog; }
    long maxClockSkewMillis() { return maxClockSkewMillis; }
    long maxBranchBallots() { return maxBranchBallots; }

    public Optional<Rejection> check(TurnoutReport report, long nowMillis) {
        Optional<Rejection> origin = checkOrigin(report.getElection(), report.getBranchId(), report.getConstituencyId());
        if (origin.isPresent()) return origin;
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
        return checkClock(report.getEventTime(), nowMillis);
    }

    /** The election exists, the branch belongs to it, and to the constituency the record names. */
    Optional<Rejection> checkOrigin(String electionId, String branchId, String constituencyId) {
        Optional<Election> election = catalog.election(electionId);
        if (election.isEmpty()) {
            return reject(RejectionReason.UNKNOWN_ELECTION, "election '" + electionId + "' is not in the reference data");
        }
        return switch (election.get().origin(branchId, constituencyId)) {
            case KNOWN -> Optional.empty();
            case UNKNOWN_BRANCH -> reject(RejectionReason.UNKNOWN_BRANCH, "branch '" + branchId + "' is not a branch of election " + electionId);
            case WRONG_CONSTITUENCY -> reject(RejectionReason.WRONG_CONSTITUENCY, "branch '" + branchId + "' belongs to constituency '"
                    + election.get().branch(branchId).orElseThrow().constituencyId() + "', not '" + constituencyId + "'");
        };
    }

    /** The event time is a plausible clock reading and not too far ahead of this job's clock. */
    Optional<Rejection> checkClock(Instant eventTime, long nowMillis) {
        if (eventTime.isBefore(EARLIEST) || eventTime.isAfter(LATEST)) {
            return reject(RejectionReason.EVENT_TIME_OUT_OF_RANGE, "eventTime " + eventTime + " is not a plausible clock reading");
        }
        if (maxClockSkewMillis > 0 && eventTime.toEpochMilli() > nowMillis + maxClockSkewMillis) {
            return reject(RejectionReason.EVENT_TIME_IN_FUTURE, "eventTime " + eventTime
                    + " is more than " + Duration.ofMillis(maxClockSkewMillis) + " ahead of this job's clock");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(RejectionReason reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
