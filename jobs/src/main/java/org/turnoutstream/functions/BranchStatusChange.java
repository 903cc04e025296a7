package org.turnoutstream.functions;

import org.turnoutstream.signals.CompositeKey;

import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.points.InfluxPoint;

import java.util.Objects;
import java.util.Optional;

/**
 * A change in whether a branch is expected online (open) and whether it is reachable (up), at event time
 * {@code time}, from {@link BranchOutageDetector}. Later stages derive the OUTAGE_STARTED/OUTAGE_ENDED
 * alerts ({@link #alert()}), the branch_status points ({@link #statusPoint()}) and the constituency view
 * ({@link ConstituencyConnectivity}).
 */
public class BranchStatusChange {
    public static final String BRANCH_STATUS = "branch_status";

    public enum Transition {
        /** Expected online from now on (OPENED or the branch's first signal); up. */
        OPENED,
        /** An outage started: {@code downSince} is when, {@code reason} why. */
        DOWN,
        /** The outage that started at {@code downSince} ended at {@code time}. */
        UP,
        /** Not expected online any more; if it was down, {@code downSince} is the start of the outage the close ended. */
        CLOSED
    }

    public String election;
    public String branchId;
    public String constituencyId;
    public long time;
    public Transition transition;
    /** Reachable after this change (false once closed). */
    public boolean up;
    /** Expected online after this change. */
    public boolean open;
    /** For DOWN: when the outage started; for UP and CLOSED: when the outage that just ended started (null if none). */
    public Long downSince;
    /** DOWN: HEARTBEAT_TIMEOUT or LINK_DOWN; UP: HEARTBEAT, LINK_UP or REPORT; CLOSED: CLOSED, or POLLS_CLOSED (closed at the end of the election); OPENED: null. */
    public AlertReason reason;

    public BranchStatusChange() {}

    public BranchStatusChange(String election, String branchId, String constituencyId, long time, Transition transition,
                              boolean up, boolean open, Long downSince, AlertReason reason) {
        this.election = election;
        this.branchId = branchId;
        this.constituencyId = constituencyId;
        this.time = time;
        this.transition = transition;
        this.up = up;
        this.open = open;
        this.downSince = downSince;
        this.reason = reason;
    }

    /** Keys the constituency view: election and constituency. */
    public String constituencyKey() {
        return CompositeKey.of(election, constituencyId);
    }

    /** OUTAGE_STARTED for DOWN, OUTAGE_ENDED for UP or CLOSED after an outage; nothing otherwise. */
    public Optional<BranchAlert> alert() {
        if (transition == Transition.DOWN) {
            return Optional.of(Alerts.branch(election, AlertKind.OUTAGE_STARTED, branchId, constituencyId, reason, downSince, null,
                    "branch " + branchId + " down since " + Alerts.at(downSince)
                            + (reason == AlertReason.HEARTBEAT_TIMEOUT ? " (nothing heard until " + Alerts.at(time) + ")" : " (link down)")));
        }
        if ((transition == Transition.UP || transition == Transition.CLOSED) && downSince != null) {
            return Optional.of(Alerts.branch(election, AlertKind.OUTAGE_ENDED, branchId, constituencyId, reason, downSince, time,
                    "branch " + branchId + " was down from " + Alerts.at(downSince) + " to " + Alerts.at(time)
                            + " (" + (time - downSince) / 1000 + " s)" + (transition != Transition.CLOSED ? "" : reason == AlertReason.POLLS_CLOSED ? ", ended by the polls closing (the branch"
                            + " never sent CLOSED)" : ", ended by the branch closing")));
        }
        return Optional.empty();
    }

    /**
     * The branch_status point at {@code time}: tags election, constituency, branch; fields {@code up} (1/0),
     * {@code down_since_s} (epoch seconds the current outage started, 0 when up or closed) and {@code open} (1/0).
     */
    public InfluxPoint statusPoint() {
        boolean down = open && !up;
        return InfluxPoint.measurement(BRANCH_STATUS)
                .tag("election", election).tag("constituency", constituencyId).tag("branch", branchId)
                .field("up", up ? 1L : 0L)
                .field("down_since_s", down && downSince != null ? Math.floorDiv(downSince, 1000L) : 0L)
                .field("open", open ? 1L : 0L)
                .time(time)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BranchStatusChange)) return false;
        BranchStatusChange c = (BranchStatusChange) o;
        return time == c.time && up == c.up && open == c.open && transition == c.transition && reason == c.reason
                && Objects.equals(downSince, c.downSince) && Objects.equals(election, c.election)
                && Objects.equals(branchId, c.branchId) && Objects.equals(constituencyId, c.constituencyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(election, branchId, constituencyId, time, transition, up, open, downSince, reason);
    }

    @Override
    public String toString() {
        return "BranchStatusChange{" + election + "/" + branchId + " (" + constituencyId + ") " + transition + " @" + time
                + (downSince != null ? " downSince=" + downSince : "") + (reason != null ? " " + reason : "") + "}";
    }
}
