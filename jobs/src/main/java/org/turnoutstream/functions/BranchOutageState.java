package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

/** One branch's connectivity inside {@link BranchOutageDetector}. */
@TypeInfo(BranchOutageStateSerializer.Factory.class)
public class BranchOutageState extends PendingSignals {
    public static final long NONE = Long.MIN_VALUE;

    public String constituencyId;
    /** False until the branch's first signal was applied (the state may hold signals waiting for the watermark before that). */
    public boolean started;
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
    /** When the state is dropped (closed branch's retention, or the end of the election); NONE if not known. */
    public long cleanupAt = NONE;
    /**
     * The key's one event-time timer, NONE if none: at the earliest moment something can change (see
     * {@link BranchOutageDetector}). It may be earlier than that moment: it then finds nothing due and moves on.
     */
    public long timerAt = NONE;

    public BranchOutageState() {}
}
