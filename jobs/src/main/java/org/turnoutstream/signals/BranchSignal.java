package org.turnoutstream.signals;

import org.turnoutstream.reference.BranchKey;
import org.turnoutstream.reference.ElectionCatalog;

import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.LinkType;

import java.util.Comparator;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import java.util.Objects;

/**
 * Anything a branch said, from either topic: its connectivity events and its turnout reports (a report
 * proves the branch is online). The union of both streams, keyed by {@link #branchKey()}, feeds
 * {@code functions.BranchOutageDetector} and {@code functions.IntegrityChecks}.
 */
@TypeInfo(BranchSignalSerializer.Factory.class)
public class BranchSignal {

    /**
     * What the branch said. The declaration order is the order in which signals heard at the same instant and
     * with the same event time are applied, so the outcome does not depend on their arrival order: news that
     * the branch is alive first, then LINK_DOWN (an explicit "my link is down" wins a tie), CLOSED last.
     */
    public enum Kind { OPENED, REPORT, HEARTBEAT, LINK_UP, LINK_DOWN, CLOSED }

    /**
     * The order in which signals heard at the same instant are applied: by the branch's own clock first (a
     * gateway that delivers its LINK_DOWN together with the LINK_UP after an outage means "down, then up"),
     * then by {@link Kind}.
     */
    public static final Comparator<BranchSignal> SAME_TIME_ORDER = Comparator
            .comparingLong((BranchSignal s) -> s.eventTime)
            .thenComparing((BranchSignal s) -> s.kind)
            .thenComparingLong(s -> s.sequence)
            .thenComparingLong(s -> s.ballotsCast)
            .thenComparing(s -> s.link, Comparator.nullsFirst(Comparator.naturalOrder()));

    /**
     * The ids. Null in a signal made from an election catalog's branch ({@link #ofCatalogBranch}) until first asked for
     * through {@link #election()}, {@link #branchId()} or {@link #constituencyId()}: read them through those.
     */
    public String election;
    public String branchId;
    public String constituencyId;
    /** The branch's own clock. */
    public long eventTime;
    /**
     * When the centre heard it: the Kafka record timestamp. Outages are judged on this timeline (a branch is
     * connected when the centre hears from it), which a replay reproduces because the timestamp is stored
     * with the record. Equal to eventTime for signals built without a Kafka record.
     */
    public long heardAt;
    public Kind kind;
    /** The link the branch reported over; null when not known (reports, older gateways). */
    public LinkType link;
    /** For REPORT: the report's sequence and cumulative ballots; 0 otherwise. */
    public long sequence;
    public long ballotsCast;
    /**
     * How far the branch's clock read ahead of {@link #heardAt} when that was beyond the allowed skew
     * ({@code ReportValidator#aheadOfHeard}): the signal then counts at its heard time ({@link #eventTime} is the heard
     * time) and {@code IntegrityChecks} raises CLOCK_SKEW. 0 normally.
     */
    public long aheadBy;

    public BranchSignal() {}

    public BranchSignal(String election, String branchId, String constituencyId, long eventTime, Kind kind, LinkType link) {
        this.election = election;
        this.branchId = branchId;
        this.constituencyId = constituencyId;
        this.eventTime = eventTime;
        this.heardAt = eventTime;
        this.kind = kind;
        this.link = link;
    }

    /**
     * A signal of the election catalog's branch at {@code index}, whose compact key is {@code compactKey}; its ids are
     * read from the catalog when first asked for: a heartbeat of an up branch, most of the traffic, is handled without
     * them, and reading them is a cache miss over tens of thousands of branches.
     */
    public static BranchSignal ofCatalogBranch(ElectionCatalog catalog, int index, long compactKey, long eventTime, Kind kind,
                                               LinkType link) {
        BranchSignal signal = new BranchSignal(null, null, null, eventTime, kind, link);
        signal.knownBranch(index, compactKey);
        signal.idsFrom = catalog;
        return signal;
    }

    /** The catalog whose branch {@link #catalogIndex} this is, while its ids have not been read from it. */
    private transient ElectionCatalog idsFrom;

    public String election() {
        if (idsFrom != null) readIds();
        return election;
    }

    public String branchId() {
        if (idsFrom != null) readIds();
        return branchId;
    }

    public String constituencyId() {
        if (idsFrom != null) readIds();
        return constituencyId;
    }

    /** Makes this signal's ids those of {@code from}: the same strings, or the same catalog branch still to be read. */
    void sameIdsAs(BranchSignal from) {
        election = from.election;
        branchId = from.branchId;
        constituencyId = from.constituencyId;
        int index = from.catalogIndex();
        if (index >= 0) knownBranch(index, from.compactKey);
        idsFrom = from.idsFrom;
    }

    /** Makes this (new) signal one of the catalog's branch at {@code index}, ids still to be read ({@link #ofCatalogBranch}). */
    void catalogBranch(ElectionCatalog catalog, int index, long compactKey) {
        knownBranch(index, compactKey);
        idsFrom = catalog;
    }

    private void readIds() {
        ElectionCatalog catalog = idsFrom;
        idsFrom = null;
        election = catalog.electionIdAt(catalogIndex);
        branchId = catalog.branchIdAt(catalogIndex);
        constituencyId = catalog.constituencyIdAt(catalogIndex);
        // the same branch: its keys and index stay
        keyElection = election;
        keyBranchId = branchId;
        indexConstituency = constituencyId;
    }

    /** The same signal, heard by the centre at {@code heardAt}. */
    public BranchSignal heardAt(long heardAt) {
        this.heardAt = heardAt;
        return this;
    }

    /**
     * The branch's clock read {@code aheadBy} ms ahead of the heard time (0: it did not): the signal counts at its heard
     * time, {@code eventTime - aheadBy}.
     */
    public BranchSignal clockAhead(long aheadBy) {
        if (aheadBy > 0) {
            this.eventTime -= aheadBy;
            this.aheadBy = aheadBy;
        }
        return this;
    }

    public static BranchSignal of(ConnectivityEvent event) {
        return of(event, event.getEventTime().toEpochMilli());
    }

    public static BranchSignal of(ConnectivityEvent event, long heardAt) {
        return new BranchSignal(event.getElection(), event.getBranchId(), event.getConstituencyId(),
                event.getEventTime().toEpochMilli(), Kind.valueOf(event.getKind().name()), event.getLink()).heardAt(heardAt);
    }

    public static BranchSignal of(BranchReport report) {
        BranchSignal signal = new BranchSignal(report.election, report.branchId, report.constituencyId, report.eventTime, Kind.REPORT, null)
                .heardAt(report.receivedAt);
        signal.sequence = report.sequence;
        signal.ballotsCast = report.ballotsCast;
        signal.aheadBy = report.aheadBy;
        int index = report.catalogIndex();
        if (index >= 0) signal.knownBranch(index, report.compactKey());
        return signal;
    }

    /** The report a REPORT signal was made from ({@link #of(BranchReport)} the other way round). */
    public BranchReport toReport() {
        BranchReport report = new BranchReport(election(), branchId(), constituencyId(), sequence, ballotsCast, eventTime).receivedAt(heardAt);
        report.aheadBy = aheadBy;
        return report;
    }

    /** Same key as {@link BranchReport#branchKey()}: election and branch. */
    public String branchKey() {
        // Each keyed operator of the chain asks for the key again: it is built once per record (and its hash computed
        // once), unless the ids changed since (a reused instance).
        keysFor(election(), branchId());
        if (key == null) key = CompositeKey.of(election, branchId);
        return key;
    }

    /**
     * The branch's compact key ({@link BranchKey}), by which the live job partitions the per-branch work: computed once
     * per record (both sides of the shuffle ask), again only if the ids changed since.
     */
    public long compactKey() {
        keysFor(election, branchId);
        if (!compactKeyKnown) {
            compactKey = BranchKey.of(election(), branchId());
            compactKeyKnown = true;
        }
        return compactKey;
    }

    /**
     * The signal is of the election catalog's branch at {@code index} ({@link ElectionCatalog#electionIdAt} and the like: its ids
     * are that branch's) with this compact key ({@link BranchKey#of} of the ids, which the catalog keeps): the shuffle by branch
     * then carries the index instead of the ids ({@link BranchSignalSerializer#withCatalog}), and no key is computed.
     * Both are forgotten when an id changes.
     */
    public BranchSignal knownBranch(int index, long compactKey) {
        keysFor(election, branchId);
        this.compactKey = compactKey;
        this.compactKeyKnown = true;
        this.catalogIndex = index;
        this.indexConstituency = constituencyId;
        return this;
    }

    /** The election catalog's index of the branch ({@link #knownBranch}), or -1 when not known or an id changed since. */
    public int catalogIndex() {
        keysFor(election, branchId);
        return catalogIndex >= 0 && indexConstituency == constituencyId ? catalogIndex : -1;
    }

    /** Forgets both keys when the ids are not the ones they were made of. */
    private void keysFor(String election, String branchId) {
        if (keyElection != election || keyBranchId != branchId) {
            keyElection = election;
            keyBranchId = branchId;
            key = null;
            compactKeyKnown = false;
            catalogIndex = -1;
        }
    }

    private transient int catalogIndex = -1;
    private transient String indexConstituency;

    private transient String keyElection;
    private transient String keyBranchId;
    private transient String key;
    private transient long compactKey;
    private transient boolean compactKeyKnown;

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BranchSignal)) return false;
        BranchSignal s = (BranchSignal) o;
        return eventTime == s.eventTime && heardAt == s.heardAt && sequence == s.sequence && ballotsCast == s.ballotsCast && aheadBy == s.aheadBy
                && kind == s.kind && link == s.link
                && Objects.equals(election(), s.election()) && Objects.equals(branchId(), s.branchId())
                && Objects.equals(constituencyId(), s.constituencyId());
    }

    @Override
    public int hashCode() {
        return Objects.hash(election(), branchId(), constituencyId(), eventTime, heardAt, kind, link, sequence, ballotsCast);
    }

    @Override
    public String toString() {
        return "BranchSignal{" + election() + "/" + branchId() + " (" + constituencyId() + ") " + kind
                + (link != null ? " " + link : "") + (kind == Kind.REPORT ? " seq=" + sequence + " ballots=" + ballotsCast : "")
                + " t=" + eventTime + (heardAt != eventTime ? " heard=" + heardAt : "") + (aheadBy > 0 ? " clock+" + aheadBy + "ms" : "") + "}";
    }
}
