package org.turnoutstream.simulator;

import java.time.Instant;

/** A window during which a branch was cut off; its reports of that window are sent at {@code end}. */
public record PlannedOutage(String branchId, String constituencyId, Instant start, Instant end, Reason reason) {
    public enum Reason {
        /** The branch's own link failed (LINK_DOWN .. LINK_UP). */
        BRANCH_LINK,
        /** The whole constituency was cut off. */
        REGION
    }
}
