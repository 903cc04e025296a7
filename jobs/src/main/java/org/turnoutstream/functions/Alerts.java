package org.turnoutstream.functions;

import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;

import java.time.Instant;

/** Builds {@link BranchAlert}s with their deterministic ids. */
public final class Alerts {
    private Alerts() {}

    /** An alert about a branch; its id is derived from (election, kind, branch, startedAt, qualifiers). */
    public static BranchAlert branch(String election, AlertKind kind, String branchId, String constituencyId, AlertReason reason,
                                     long startedAt, Long endedAt, String detail, Object... idQualifiers) {
        return build(AlertIds.of(election, kind, "branch:" + branchId, startedAt, idQualifiers),
                election, kind, branchId, constituencyId, reason, startedAt, endedAt, detail);
    }

    /** An alert about a whole constituency (branchId null). */
    public static BranchAlert constituency(String election, AlertKind kind, String constituencyId, AlertReason reason,
                                           long startedAt, Long endedAt, String detail, Object... idQualifiers) {
        return build(AlertIds.of(election, kind, "constituency:" + constituencyId, startedAt, idQualifiers),
                election, kind, null, constituencyId, reason, startedAt, endedAt, detail);
    }

    private static BranchAlert build(String id, String election, AlertKind kind, String branchId, String constituencyId,
                                     AlertReason reason, long startedAt, Long endedAt, String detail) {
        return BranchAlert.newBuilder()
                .setAlertId(id)
                .setElection(election)
                .setKind(kind)
                .setBranchId(branchId)
                .setConstituencyId(constituencyId)
                .setReason(reason)
                .setStartedAt(Instant.ofEpochMilli(startedAt))
                .setEndedAt(endedAt == null ? null : Instant.ofEpochMilli(endedAt))
                .setDetail(detail)
                .build();
    }

    static String at(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
