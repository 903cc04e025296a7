package org.turnoutstream.functions;

import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.sinks.InfluxPoint;

/**
 * The {@code alerts} point of an alert: tags election, kind, constituency; fields branch ("" for
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
                .field("branch", alert.getBranchId() == null ? "" : alert.getBranchId())
                .field("reason", alert.getReason().name())
                .field("active", ended == null ? 1L : 0L)
                .field("duration_s", ended == null ? 0L : (ended - started) / 1000)
                .field("alert_id", alert.getAlertId())
                .time(ended == null ? started : ended)
                .build();
    }
}
