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

    /** @param maxClockSkew how far ahead of its heard time an event may be dated and still count at its own time */
    public ConnectivityValidator(ElectionCatalog catalog, Duration maxClockSkew) {
        // The count limit does not apply to connectivity events; only origin and clock checks are used.
        this.checks = new ReportValidator(catalog, maxClockSkew, Long.MAX_VALUE);
    }

    /** The checks it makes (its catalog and clock limit). */
    ReportValidator checks() {
        return checks;
    }

    public Optional<ReportValidator.Rejection> check(ConnectivityEvent event) {
        Optional<ReportValidator.Rejection> origin = checks.checkOrigin(event.getElection(), event.getBranchId(), event.getConstituencyId());
        return origin.isPresent() ? origin : checks.checkClock(event.getEventTime());
    }
}
