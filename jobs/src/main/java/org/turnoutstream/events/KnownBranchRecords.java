package org.turnoutstream.events;

import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.batching.RecordBatch;
import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;

/**
 * The decoders' fast path: recognises, in one pass over its bytes, a record written with the reader's own schema by a
 * branch the election catalog knows, in the constituency the catalog gives it, that every check of the validator would
 * let through, and makes its signal or report from the catalog's own ids; no Avro record, string or {@code Instant} is
 * made, and the branch is found from the record's bytes ({@link ElectionCatalog#findBranch}). Anything else (another
 * schema, an unknown branch, a bad value, an odd encoding) answers null, and the full decoder and validator take the
 * record as before, with their dead letters and messages: so the fast path changes nothing but the cost. Most records of
 * an election day are such records: JFR put the Avro decoder, the strings it made and the validator's branch lookup at
 * three fifths of the source task.
 *
 * <p>Binary Avro as the reader's schema orders the fields: strings as a zig-zag var-int length and UTF-8 bytes, longs
 * and ints as zig-zag var-ints, enums and union branches as var-int indexes. A var-int longer than its type's shortest
 * form can need (10 bytes for a long, 5 for an int, with no bits beyond the type) is left to the full decoder. Not
 * thread-safe (a cursor per instance): one per subtask.
 */
public final class KnownBranchRecords {
    private static final BranchSignal.Kind[] KINDS = kinds();
    private static final LinkType[] LINKS = LinkType.values();
    private static final long EARLIEST = ReportValidator.EARLIEST.toEpochMilli();
    private static final long LATEST = ReportValidator.LATEST.toEpochMilli();
    /** The Confluent header: magic byte and schema id. */
    private static final int BODY = 5;

    private final ElectionCatalog catalog;
    private final long maxClockSkewMillis;
    private final long maxBranchBallots;

    private byte[] buf;
    private int pos;
    private boolean odd;

    public KnownBranchRecords(ElectionCatalog catalog, long maxClockSkewMillis, long maxBranchBallots) {
        this.catalog = catalog;
        this.maxClockSkewMillis = maxClockSkewMillis;
        this.maxBranchBallots = maxBranchBallots;
    }

    /** For a validator's catalog and limits. */
    public static KnownBranchRecords of(ReportValidator validator) {
        return new KnownBranchRecords(validator.catalog(), validator.maxClockSkewMillis(), validator.maxBranchBallots());
    }

    /**
     * The signal of a connectivity event ({@code value}: Confluent-framed, written with the reader's schema), heard at
     * {@code heardAt} (the Kafka timestamp; -1: none, then its event time); null: leave it to the full decoder.
     */
    public BranchSignal connectivitySignal(byte[] value, long heardAt) {
        readOrigin(value);
        long eventTime = readLong();
        int kind = readInt();
        LinkType link = null;
        int linkBranch = readInt();
        if (linkBranch == 1) {
            int l = readInt();
            if (l < 0 || l >= LINKS.length) return null;
            link = LINKS[l];
        } else if (linkBranch != 0) {
            return null;
        }
        int rttBranch = readInt();
        if (rttBranch == 1) readInt();
        else if (rttBranch != 0) return null;
        if (odd || pos != buf.length || kind < 0 || kind >= KINDS.length || !plausible(eventTime)) return null;
        long found = branch();
        if (found < 0) return null;
        // the ids are read from the catalog only if asked for: the shuffle carries the index
        return BranchSignal.ofCatalogBranch(catalog, catalog.foundIndex(found), catalog.foundKey(found), eventTime, KINDS[kind], link)
                .heardAt(heardAt >= 0 ? heardAt : eventTime).clockAhead(ReportValidator.aheadOfHeard(eventTime, heardAt, maxClockSkewMillis));
    }

    /**
     * The report of a turnout record ({@code value}: Confluent-framed, written with the reader's schema), heard at
     * {@code heardAt} (-1: none, then its event time); null: leave it to the full decoder.
     */
    public BranchReport report(byte[] value, long heardAt) {
        readOrigin(value);
        long sequence = readLong();
        long ballots = readLong();
        long eventTime = readLong();
        if (odd || pos != buf.length || ballots < 0 || ballots > maxBranchBallots || sequence < 0 || !plausible(eventTime)) {
            return null;
        }
        long found = branch();
        if (found < 0) return null;
        int index = catalog.foundIndex(found);
        if (ballots > catalog.capacityAt(index)) return null; // COUNT_ABOVE_CAPACITY: the full path says why
        return new BranchReport(catalog.electionIdAt(index), catalog.branchIdAt(index), catalog.constituencyIdAt(index), sequence, ballots,
                eventTime).receivedAt(heardAt >= 0 ? heardAt : eventTime).knownBranch(index, catalog.foundKey(found))
                .clockAhead(ReportValidator.aheadOfHeard(eventTime, heardAt, maxClockSkewMillis));
    }

    /** {@link #prefetch}'s records (their bytes), the hashes of their ids and the slots probed, a record each. */
    private byte[][] ahead = new byte[0][];
    private long[] hashes = new long[0];
    private long[] probes = new long[0];
    /** How many records {@link #ahead} holds, and the next one expected ({@link #branch} takes its hash from there). */
    private int aheadSize, aheadNext;
    /** The sum of what {@link #prefetch} read: never used, it keeps the reads from being optimised away. */
    private long touched;

    /**
     * Reads ahead what the records of a batch will read: their bytes, then the catalog's slot and entry of their branch
     * ({@link ElectionCatalog#branchHash}, {@link ElectionCatalog#probeSlot}, {@link ElectionCatalog#touchProbed}), a
     * pass over the batch each, so that the cache misses of its records overlap (one record at a time, each waited for
     * its misses in turn: most of the decoders' time in JFR). Only records {@code readerSchema} says are written with
     * the reader's schema (the others go the full decoder). The hashes are kept for the batch's records, in order: a
     * record processed next finds its branch by it ({@link #branch}) instead of hashing its ids again.
     */
    public void prefetch(RecordBatch<RawRecord> batch, java.util.function.Predicate<byte[]> readerSchema) {
        int n = batch.size();
        if (probes.length < n) {
            ahead = new byte[n][];
            hashes = new long[n];
            probes = new long[n];
        }
        long sum = 0;
        // The records' bytes first: the Kafka client made them on its fetcher thread, so they are not in this core's cache.
        for (int i = 0; i < n; i++) {
            byte[] value = batch.value(i).value;
            if (value != null && value.length > BODY) sum += value[BODY];
        }
        for (int i = 0; i < n; i++) {
            byte[] value = batch.value(i).value;
            ahead[i] = null;
            if (value != null && readerSchema.test(value)) {
                readOrigin(value);
                if (!odd) {
                    ahead[i] = value;
                    hashes[i] = ElectionCatalog.branchHash(buf, electionAt, electionLength, branchAt, branchLength);
                }
            }
        }
        for (int i = 0; i < n; i++) probes[i] = ahead[i] == null ? 0 : catalog.probeSlot(hashes[i]);
        for (int i = 0; i < n; i++) sum += catalog.touchProbed(probes[i]);
        touched += sum;
        aheadSize = n;
        aheadNext = 0;
        buf = null;
    }

    /** As {@link ReportValidator#checkClock}: a plausible clock reading. */
    private static boolean plausible(long eventTime) {
        return eventTime >= EARLIEST && eventTime <= LATEST;
    }

    /** The branch the ids name ({@link ElectionCatalog#findBranch}), when the catalog has it in that constituency; else -1. */
    private long branch() {
        long found = catalog.findBranch(hash(), buf, electionAt, electionLength, branchAt, branchLength);
        if (found < 0 || !catalog.foundInConstituency(found, buf, constituencyAt, constituencyLength)) return -1;
        return found;
    }

    /**
     * The hash of the current record's ids: {@link #prefetch}'s when it is the next record read ahead (the same bytes;
     * the records come in the batch's order, a record the full decoder takes is skipped), else computed.
     */
    private long hash() {
        while (aheadNext < aheadSize) {
            int i = aheadNext++;
            if (ahead[i] == buf) {
                ahead[i] = null;
                return hashes[i];
            }
        }
        return ElectionCatalog.branchHash(buf, electionAt, electionLength, branchAt, branchLength);
    }

    /** Where the last record's ids are in its bytes (both schemas start with them). */
    private int electionAt, electionLength, branchAt, branchLength, constituencyAt, constituencyLength;

    /** Starts on a record: reads past its header and its three ids (election, branch, constituency), noting where they are. */
    private void readOrigin(byte[] value) {
        buf = value;
        pos = BODY;
        odd = value.length < BODY;
        electionAt = stringAt();
        electionLength = pos - electionAt;
        branchAt = stringAt();
        branchLength = pos - branchAt;
        constituencyAt = stringAt();
        constituencyLength = pos - constituencyAt;
    }

    /** Reads a string's length and skips its bytes; returns where they start (its length: up to {@link #pos}). */
    private int stringAt() {
        long n = readLong();
        if (odd || n < 0 || n > buf.length - pos) {
            odd = true;
            return pos;
        }
        int at = pos;
        pos += (int) n;
        return at;
    }

    /** A zig-zag var-int long of at most 10 bytes, the last carrying one bit, as Avro reads it. */
    private long readLong() {
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
            if (odd || pos >= buf.length) {
                odd = true;
                return 0;
            }
            int b = buf[pos++] & 0xff;
            if (shift == 63 && b > 1) {
                odd = true;
                return 0;
            }
            raw |= (long) (b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** A zig-zag var-int int of at most 5 bytes, the last carrying four bits, as Avro reads it. */
    private int readInt() {
        int raw = 0;
        for (int shift = 0; ; shift += 7) {
            if (odd || pos >= buf.length) {
                odd = true;
                return -1;
            }
            int b = buf[pos++] & 0xff;
            if (shift == 28 && b > 0x0f) {
                odd = true;
                return -1;
            }
            raw |= (b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** The signal kind of each symbol of the reader's ConnectivityKind, by index (as {@code BranchSignal.of} maps it, by name). */
    private static BranchSignal.Kind[] kinds() {
        ConnectivityKind[] symbols = ConnectivityKind.values();
        BranchSignal.Kind[] kinds = new BranchSignal.Kind[symbols.length];
        for (int i = 0; i < symbols.length; i++) kinds[i] = BranchSignal.Kind.valueOf(symbols[i].name());
        return kinds;
    }
}
