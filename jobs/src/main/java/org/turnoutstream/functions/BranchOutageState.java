package org.turnoutstream.functions;

import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

/** One branch's connectivity inside {@link BranchOutageDetector}. */
public class BranchOutageState {
    public static final long NONE = Long.MIN_VALUE;

    public String constituencyId;
    /** True once CLOSED was applied: later signals are ignored until the state is dropped at {@link #cleanupAt}. */
    public boolean closed;
    public boolean up = true;
    /** While down: when the outage started and why. */
    public long downSince = NONE;
    public AlertReason downReason;
    /** The latest event time anything was heard from the branch. */
    public long lastHeard = NONE;
    /** The time of the last emitted change: a late signal older than this changes nothing. */
    public long lastChange = NONE;
    /** The last link type the branch reported over (null: unknown, default timeout). */
    public LinkType link;
    /** The heartbeat deadline while up (lastHeard + timeout), NONE otherwise. */
    public long deadline = NONE;
    /**
     * The timer registered for the deadline, NONE if none. It may be earlier than {@link #deadline}: a heartbeat only
     * moves the deadline, and the timer moves on when it fires (one timer operation per timeout, not two per heartbeat).
     */
    public long deadlineTimer = NONE;
    /** The timer that drops the state (closed branch's retention, or the end of the election); NONE if none. */
    public long cleanupAt = NONE;

    public BranchOutageState() {}
}
