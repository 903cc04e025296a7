package org.turnoutstream.events;

import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.BranchCapacity;
import org.turnoutstream.reference.Constituency;
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
     * @param maxClockSkew how far ahead of the time the centre heard it a record may be dated and still count at its own
     *                     time ({@link #aheadOfHeard}); zero or negative: every record counts at its own time
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

    public Optional<Rejection> check(TurnoutReport report) {
        Optional<Rejection> origin = checkOrigin(report.getElection(), report.getBranchId(), report.getConstituencyId());
        if (origin.isPresent()) return origin;
        if (report.getBallotsCast() < 0) {
            return reject(RejectionReason.NEGATIVE_COUNT, "ballotsCast is negative: " + report.getBallotsCast());
        }
        if (report.getBallotsCast() > maxBranchBallots) {
            return reject(RejectionReason.COUNT_TOO_LARGE, "ballotsCast " + report.getBallotsCast()
                    + " is more than one branch can take (--max-branch-ballots " + maxBranchBallots + ")");
        }
        Optional<Rejection> capacity = checkCapacity(report);
        if (capacity.isPresent()) return capacity;
        if (report.getSequence() < 0) {
            return reject(RejectionReason.NEGATIVE_SEQUENCE, "sequence is negative: " + report.getSequence());
        }
        return checkClock(report.getEventTime());
    }

    /**
     * A branch cannot take more ballots than it has voters ({@link BranchCapacity}): a larger count never enters the
     * totals (the branch keeps its previous count), and is a dead letter and a COUNT_ABOVE_CAPACITY alert. Only for a
     * report whose origin was checked.
     */
    private Optional<Rejection> checkCapacity(TurnoutReport report) {
        Election election = catalog.election(report.getElection()).orElseThrow();
        long capacity = election.capacity(report.getBranchId());
        if (report.getBallotsCast() <= capacity) return Optional.empty();
        Branch branch = election.branch(report.getBranchId()).orElseThrow();
        Constituency constituency = election.constituency(branch.constituencyId()).orElseThrow();
        String bound = branch.declaresEligibleVoters() ? "its eligible_voters in the reference data"
                : BranchCapacity.DEFAULT_MARGIN + " x the average branch of constituency '" + constituency.id() + "' ("
                + constituency.eligibleVoters() + " eligible voters, " + constituency.branchCount() + " branches)";
        return reject(RejectionReason.COUNT_ABOVE_CAPACITY, "ballotsCast " + report.getBallotsCast() + " is more than branch '"
                + branch.id() + "' can take: " + capacity + " (" + bound + ")");
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

    /**
     * The event time is a plausible clock reading at all. A date ahead of when the centre heard the record is not
     * rejected: the record counts at its heard time ({@link #aheadOfHeard}).
     */
    Optional<Rejection> checkClock(Instant eventTime) {
        if (eventTime.isBefore(EARLIEST) || eventTime.isAfter(LATEST)) {
            return reject(RejectionReason.EVENT_TIME_OUT_OF_RANGE, "eventTime " + eventTime + " is not a plausible clock reading");
        }
        return Optional.empty();
    }

    /**
     * How far a record's clock reading is ahead of the time the centre heard it (its Kafka timestamp), when that is
     * more than the allowed skew: the branch's clock is wrong, and the record counts at its heard time instead (a report
     * dated in the future would otherwise count before it was made, or never, and a replay would place it where the live
     * run did only by luck). 0 when within the skew, when the record has no heard time (-1) or when the check is off.
     * A function of the record alone, so a live run and every replay agree.
     */
    public long aheadOfHeard(long eventTime, long heardAt) {
        return aheadOfHeard(eventTime, heardAt, maxClockSkewMillis);
    }

    static long aheadOfHeard(long eventTime, long heardAt, long maxClockSkewMillis) {
        if (maxClockSkewMillis <= 0 || heardAt < 0 || eventTime - heardAt <= maxClockSkewMillis) return 0;
        return eventTime - heardAt;
    }

    private static Optional<Rejection> reject(RejectionReason reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
