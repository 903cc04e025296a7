package org.turnoutstream.events;

import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ConnectivityEvent;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/** Checks a decoded connectivity event against the reference data and the clock, like {@link ReportValidator}. */
public final class ConnectivityValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ElectionCatalog catalog;
    private final long maxClockSkewMillis;

    /** @param maxClockSkew how far in the future an event may be dated; zero or negative disables the check */
    public ConnectivityValidator(ElectionCatalog catalog, Duration maxClockSkew) {
        this.catalog = catalog;
        this.maxClockSkewMillis = maxClockSkew.toMillis();
    }

    public Optional<ReportValidator.Rejection> check(ConnectivityEvent event, long nowMillis) {
        Optional<Election> election = catalog.election(event.getElection());
        if (election.isEmpty()) {
            return reject(RejectionReason.UNKNOWN_ELECTION, "election '" + event.getElection() + "' is not in the reference data");
        }
        Optional<Branch> branch = election.get().branch(event.getBranchId());
        if (branch.isEmpty()) {
            return reject(RejectionReason.UNKNOWN_BRANCH, "branch '" + event.getBranchId() + "' is not a branch of election " + event.getElection());
        }
        if (!branch.get().constituencyId().equals(event.getConstituencyId())) {
            return reject(RejectionReason.WRONG_CONSTITUENCY, "branch '" + event.getBranchId() + "' belongs to constituency '"
                    + branch.get().constituencyId() + "', not '" + event.getConstituencyId() + "'");
        }
        if (event.getEventTime().isBefore(ReportValidator.EARLIEST) || event.getEventTime().isAfter(ReportValidator.LATEST)) {
            return reject(RejectionReason.EVENT_TIME_OUT_OF_RANGE, "eventTime " + event.getEventTime() + " is not a plausible clock reading");
        }
        if (maxClockSkewMillis > 0 && event.getEventTime().toEpochMilli() > nowMillis + maxClockSkewMillis) {
            return reject(RejectionReason.EVENT_TIME_IN_FUTURE, "eventTime " + event.getEventTime()
                    + " is more than " + Duration.ofMillis(maxClockSkewMillis) + " ahead of this job's clock");
        }
        return Optional.empty();
    }

    private static Optional<ReportValidator.Rejection> reject(RejectionReason reason, String detail) {
        return Optional.of(new ReportValidator.Rejection(reason, detail));
    }
}
