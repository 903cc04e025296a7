package org.turnoutstream.signals;

/** A decoded, validated turnout report: a branch's cumulative ballots at eventTime. */
public class BranchReport {
    public String election;
    public String branchId;
    public String constituencyId;
    public long sequence;
    public long ballotsCast;
    public long eventTime;
    /**
     * The heard time: when the centre heard the report, its Kafka record timestamp (epoch ms;
     * {@code RawRecord.heardAt}, {@code BranchSignal.heardAt}). The outage detector judges liveness by it, since a report
     * buffered during an outage proves nothing about the link at its own event time. Equal to eventTime when not known
     * (reports built without a Kafka record). The field keeps its older name: this class travels as a Flink POJO, whose
     * serializer restores the reports in flight of an unaligned checkpoint field by name; a renamed field would come
     * back as 0, a wrong heard time.
     */
    public long receivedAt;
    /**
     * How far the branch's clock read ahead of {@link #receivedAt} when that was beyond the allowed skew
     * ({@code ReportValidator#aheadOfHeard}); the report then counts at its heard time: {@link #eventTime} is the heard
     * time, not the branch's reading. 0 normally.
     */
    public long aheadBy;

    public BranchReport() {}

    public BranchReport(String election, String branchId, String constituencyId, long sequence, long ballotsCast, long eventTime) {
        this.election = election;
        this.branchId = branchId;
        this.constituencyId = constituencyId;
        this.sequence = sequence;
        this.ballotsCast = ballotsCast;
        this.eventTime = eventTime;
        this.receivedAt = eventTime;
    }

    /**
     * The time this report counts from: its event time, unless the centre heard it more than the correction
     * horizon later; then from (heard time - horizon). Published history older than the horizon is final, and
     * which history that is depends only on the record itself, not on when a run happened to read it: a live run
     * and any replay of the same records count every report at the same instant.
     */
    public long countedAt(long correctionHorizonMillis) {
        return Math.max(eventTime, receivedAt - correctionHorizonMillis);
    }

    /** The same report, heard by the centre at {@code receivedAt}. */
    public BranchReport receivedAt(long receivedAt) {
        this.receivedAt = receivedAt;
        return this;
    }

    /**
     * The branch's clock read {@code aheadBy} ms ahead of the heard time (0: it did not): the report counts at its heard
     * time, {@code eventTime - aheadBy}.
     */
    public BranchReport clockAhead(long aheadBy) {
        if (aheadBy > 0) {
            this.eventTime -= aheadBy;
            this.aheadBy = aheadBy;
        }
        return this;
    }

    /** Keys a branch's reports; elections never mix, so a run-off's branch is another key. */
    public String branchKey() {
        // Each keyed operator of the chain asks for the key again: it is built once per record (and its hash computed
        // once), unless the ids changed since (a reused instance).
        if (key == null || keyElection != election || keyBranchId != branchId) {
            keyElection = election;
            keyBranchId = branchId;
            key = CompositeKey.of(election, branchId);
        }
        return key;
    }

    private transient String key;
    private transient String keyElection;
    private transient String keyBranchId;

    /**
     * The report is of the election catalog's branch at {@code index}, whose compact key is {@code compactKey} (see
     * {@code BranchSignal.knownBranch}); forgotten when an id changes. Not on the wire: a report that crosses a shuffle
     * arrives without it.
     */
    public BranchReport knownBranch(int index, long compactKey) {
        this.catalogIndex = index;
        this.indexCompactKey = compactKey;
        this.indexElection = election;
        this.indexBranchId = branchId;
        this.indexConstituency = constituencyId;
        return this;
    }

    /** The catalog index of {@link #knownBranch}, or -1 when not known or an id changed since. */
    public int catalogIndex() {
        return catalogIndex >= 0 && indexElection == election && indexBranchId == branchId && indexConstituency == constituencyId
                ? catalogIndex : -1;
    }

    /** The compact key of {@link #knownBranch}; only when {@link #catalogIndex} is not -1. */
    public long compactKey() {
        return indexCompactKey;
    }

    private transient int catalogIndex = -1;
    private transient long indexCompactKey;
    private transient String indexElection;
    private transient String indexBranchId;
    private transient String indexConstituency;

    @Override
    public String toString() {
        return "BranchReport{" + election + "/" + branchId + " (" + constituencyId + ") seq=" + sequence
                + " ballots=" + ballotsCast + " t=" + eventTime + (aheadBy > 0 ? " clock+" + aheadBy + "ms" : "") + "}";
    }
}
