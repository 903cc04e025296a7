package org.turnoutstream.events;

import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ConnectivityEvent;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/** Checks a decoded connectivity event against the reference data and the clock, like {@link ReportValidator}. */
public final class ConnectivityValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ReportValidator checks;

    /** @param maxClockSkew how far in the future an event may be dated; zero or negative disables the check */
    public ConnectivityValidator(ElectionCatalog catalog, Duration maxClockSkew) {
        // The count limit does not apply to connectivity events; only origin and clock checks are used.
        this.checks = new ReportValidator(catalog, maxClockSkew, Long.MAX_VALUE);
    }

    /** The checks it makes (its catalog and clock limit). */
    ReportValidator checks() {
        return checks;
    }

    public Optional<ReportValidator.Rejection> check(ConnectivityEvent event, long nowMillis) {
        Optional<ReportValidator.Rejection> origin = checks.checkOrigin(event.getElection(), event.getBranchId(), event.getConstituencyId());
        return origin.isPresent() ? origin : checks.checkClock(event.getEventTime(), nowMillis);
    }
}
