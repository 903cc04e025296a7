package org.turnoutstream.functions;

import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.points.InfluxPoint;

/**
 * The {@code alerts} point of an alert: tags election, kind, constituency and subject (the branch id, or the
 * constituency id for constituency-level alerts: without it, alerts of the same kind about different branches
 * of one constituency at the same instant, e.g. a blackout's OUTAGE_STARTEDs, would overwrite each other);
 * fields branch ("" for
 * constituency-level alerts), reason, active (1 while the condition lasts, i.e. no endedAt; 0 for an alert
 * that ends one), duration_s (endedAt - startedAt, 0 while it lasts) and alert_id. Written at endedAt when
 * there is one, else at startedAt.
 */
public final class AlertPoints {
    public static final String MEASUREMENT = "alerts";

    private AlertPoints() {}

    public static InfluxPoint of(BranchAlert alert) {
        long started = alert.getStartedAt().toEpochMilli();
        Long ended = alert.getEndedAt() == null ? null : alert.getEndedAt().toEpochMilli();
        return InfluxPoint.measurement(MEASUREMENT)
                .tag("election", alert.getElection())
                .tag("kind", alert.getKind().name())
                .tag("constituency", alert.getConstituencyId())
                .tag("subject", subject(alert))
                .field("branch", alert.getBranchId() == null ? "" : alert.getBranchId())
                .field("reason", alert.getReason().name())
                .field("active", ended == null ? 1L : 0L)
                .field("duration_s", ended == null ? 0L : (ended - started) / 1000)
                .field("alert_id", alert.getAlertId())
                .time(ended == null ? started : ended)
                .build();
    }

    /** The branch, else the constituency, else (feed-level alerts) "feed". */
    static String subject(BranchAlert alert) {
        if (alert.getBranchId() != null) return alert.getBranchId();
        return alert.getConstituencyId().isEmpty() ? "feed" : alert.getConstituencyId();
    }
}
