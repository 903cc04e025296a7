package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.turnoutstream.reference.ElectionCatalog;

/**
 * Everything {@link BranchWorkFunction} keeps about one branch, in ONE keyed state entry: the count's history, the
 * outage detector's state and the integrity trail (each null while that part has nothing), and the key's one event-time
 * timer, at the earliest moment either timed part asked for ({@link BranchOutageState#timerAt},
 * {@link IntegrityState#timerAt}, the latter up to {@link BranchWorkFunction#INTEGRITY_LATENESS_MILLIS} later).
 */
@TypeInfo(BranchWorkStateSerializer.Factory.class)
public final class BranchWorkState {
    public static final long NONE = Long.MIN_VALUE;

    public BranchHistory history;
    public BranchOutageState outage;
    public IntegrityState integrity;
    /** The event-time timer registered for the key (NONE if none). */
    public long timerAt = NONE;
    /**
     * The branch, as the election catalog has it, for what a timer emits: found by the key at the branch's first signal,
     * not checkpointed (after a restore, found again when first needed).
     */
    public transient ElectionCatalog.ElectionBranch branch;
    /** Changed since it was last written back to Flink's keyed state ({@link BranchEntries}); not checkpointed. */
    transient boolean changed;
    /** Its key and whether it was removed, in STREAMING's table ({@link BranchEntries}). */
    transient long tableKey;
    transient boolean removed;
    /** In a slot of a {@link BranchEntries} table (removed or not). */
    transient boolean inTable;
    /**
     * The integrity part's {@link IntegrityState#timerAt} (NONE without a trail), kept here so that a signal the integrity
     * part does not judge (a heartbeat: most signals) reads nothing of its state: set after every call of that part
     * ({@link #integrityTimerChanged}) and when the entry is read back.
     */
    transient long integrityTimerAt = NONE;

    /** Takes the integrity part's timer again after it ran. */
    void integrityTimerChanged() {
        integrityTimerAt = integrity == null ? NONE : integrity.timerAt;
    }

    public BranchWorkState() {}

    /**
     * Reads the parts of this entry that processing a signal of {@code kind} reads first (null: a timer of the entry):
     * the outage state and its first waiting signals always, the integrity trail for a timer and for the signals the
     * integrity part judges, the history for those the count takes too. For {@link BranchWorkFunction#prefetch}; the sum
     * only keeps the reads from being optimised away.
     */
    long touch(BranchSignal.Kind kind) {
        long t = timerAt;
        BranchOutageState o = outage;
        if (o != null) t += o.touchPending() + o.lastHeard + o.timerAt;
        boolean judged = kind != null && IntegrityChecks.judged(kind);
        if (judged) {
            BranchHistory h = history;
            if (h != null) t += h.touch();
        }
        if (judged || kind == null) {
            IntegrityState i = integrity;
            if (i != null) t += i.touch();
        }
        return t;
    }

    /** True when no part keeps anything: the entry can go. */
    boolean isEmpty() {
        return history == null && outage == null && integrity == null;
    }

    /** The earliest timer a part asked for, the integrity part's {@code integrityLateness} later; NONE if none. */
    long wantedTimer(long integrityLateness) {
        long at = Long.MAX_VALUE;
        if (outage != null && outage.timerAt != BranchOutageState.NONE) at = outage.timerAt;
        if (integrityTimerAt != NONE) {
            long lazy = integrityTimerAt > Long.MAX_VALUE - integrityLateness ? Long.MAX_VALUE - 1 : integrityTimerAt + integrityLateness;
            at = Math.min(at, lazy);
        }
        return at == Long.MAX_VALUE ? NONE : at;
    }
}
