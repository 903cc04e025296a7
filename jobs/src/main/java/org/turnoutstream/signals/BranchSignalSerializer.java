package org.turnoutstream.signals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.LinkType;

/**
 * {@link BranchSignal} on the wire: every connectivity event and report passes the shuffle by branch as one, so it is
 * written by hand instead of by Flink's PojoSerializer (reflection per field, a null marker per field, 8 bytes per long).
 * The format:
 * <pre>
 * election, branchId, constituencyId   nullable ids: var-int byte count + 1 (0: null), UTF-8 bytes; or, with a catalog
 *                                      ({@link #withCatalog}), a signal of one of its branches: -1 - its index (var-int)
 *                                      and its compact key (8 bytes)
 * kind                                 1 byte (ordinal; | 0x40 when aheadBy follows)
 * link                                 1 byte (ordinal + 1; 0: not known)
 * heardAt                              zig-zag var-int
 * eventTime                            zig-zag var-int, the difference from heardAt
 * sequence, ballotsCast                zig-zag var-ints
 * aheadBy                              zig-zag var-int, only when the kind byte says so (a signal whose branch clock
 *                                      was ahead: rare, and the format of the others unchanged)
 * </pre>
 * Signals are kept in no state (the buffers keep their fields in {@code functions.PendingSignals}), but unaligned checkpoints can
 * hold them in flight: changing the format needs a new snapshot version that still reads this one. (The job takes
 * aligned checkpoints; the serializer a snapshot restores has no catalog, so a branch index in flight would not read.)
 */
public final class BranchSignalSerializer extends CompactSerializer<BranchSignal> {
    private static final long serialVersionUID = 1L;
    public static final BranchSignalSerializer INSTANCE = new BranchSignalSerializer();
    private static final BranchSignal.Kind[] KINDS = BranchSignal.Kind.values();
    private static final LinkType[] LINKS = LinkType.values();

    /** The catalog whose branches cross as their index; null: every signal crosses with its ids. */
    private final ElectionCatalog catalog;

    private BranchSignalSerializer() {
        this(null);
    }

    private BranchSignalSerializer(ElectionCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * A serializer that writes a signal of one of {@code catalog}'s branches ({@link BranchSignal#catalogIndex}) as the
     * branch's index and compact key instead of its three ids, and reads it back as a signal of that catalog branch whose
     * ids are the catalog's own strings, read when first asked for ({@link BranchSignal#ofCatalogBranch}): on the shuffle
     * by branch, no id is encoded, decoded, allocated or hashed, and a heartbeat reads none. Both sides of the shuffle have it (the
     * streams of signals are declared with {@link #typeInfo}); the catalog ships with the job graph.
     */
    public static BranchSignalSerializer withCatalog(ElectionCatalog catalog) {
        return new BranchSignalSerializer(catalog);
    }

    /** The type of a stream of signals that crosses shuffles as {@link #withCatalog}. */
    public static TypeInformation<BranchSignal> typeInfo(ElectionCatalog catalog) {
        return new Info<>(BranchSignal.class, withCatalog(catalog));
    }

    @Override public BranchSignal createInstance() { return new BranchSignal(); }

    @Override
    public BranchSignal copy(BranchSignal from) {
        BranchSignal to = new BranchSignal(null, null, null, from.eventTime, from.kind, from.link);
        to.sameIdsAs(from);
        to.heardAt = from.heardAt;
        to.sequence = from.sequence;
        to.ballotsCast = from.ballotsCast;
        to.aheadBy = from.aheadBy;
        return to;
    }

    @Override
    public void serialize(BranchSignal s, DataOutputView out) throws IOException {
        int index = catalog == null ? -1 : s.catalogIndex();
        if (index >= 0) {
            writeLong(-1L - index, out);
            out.writeLong(s.compactKey()); // 8 bytes on the wire instead of a cache miss on the catalog's keys at the other end
        } else {
            writeId(s.election(), out);
            writeId(s.branchId(), out);
            writeId(s.constituencyId(), out);
        }
        out.writeByte(s.kind == null ? -1 : s.kind.ordinal() | (s.aheadBy != 0 ? AHEAD : 0));
        out.writeByte(s.link == null ? 0 : s.link.ordinal() + 1);
        writeLong(s.heardAt, out);
        writeLong(s.eventTime - s.heardAt, out);
        writeLong(s.sequence, out);
        writeLong(s.ballotsCast, out);
        if (s.aheadBy != 0) writeLong(s.aheadBy, out);
    }

    /** The kind byte's flag: aheadBy follows the other fields. */
    private static final int AHEAD = 0x40;

    @Override
    public BranchSignal deserialize(DataInputView in) throws IOException {
        BranchSignal s = new BranchSignal();
        long first = readLong(in);
        int index = -1;
        long key = 0;
        if (first < 0) {
            if (catalog == null || first < -catalog.branchCount()) {
                throw new IOException("corrupt BranchSignal: branch index " + (-1L - first) + " of no election catalog here");
            }
            index = (int) (-1L - first);
            key = in.readLong(); // the ids are read from the catalog when first asked for (BranchSignal#ofCatalogBranch)
        } else {
            s.election = id(first, in);
            s.branchId = readId(in);
            s.constituencyId = readId(in);
        }
        int kind = in.readByte();
        boolean ahead = kind >= 0 && (kind & AHEAD) != 0;
        s.kind = kind < 0 ? null : element(KINDS, kind & ~AHEAD, "kind");
        int link = in.readUnsignedByte();
        s.link = link == 0 ? null : element(LINKS, link - 1, "link");
        s.heardAt = readLong(in);
        s.eventTime = s.heardAt + readLong(in);
        s.sequence = readLong(in);
        s.ballotsCast = readLong(in);
        if (ahead) s.aheadBy = readLong(in);
        if (index >= 0) s.catalogBranch(catalog, index, key);
        return s;
    }

    /**
     * An id as its UTF-8 bytes after their count + 1 (0: null). Not Flink's string encoding: its reader goes through a
     * thread-local char buffer per string, a few percent of the task that reads every signal.
     */
    static void writeId(String id, DataOutputView out) throws IOException {
        if (id == null) {
            out.writeByte(0);
            return;
        }
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        writeLong(bytes.length + 1L, out);
        out.write(bytes);
    }

    static String readId(DataInputView in) throws IOException {
        return id(readLong(in), in);
    }

    /** The id whose byte count + 1 was {@code n}. */
    private static String id(long n, DataInputView in) throws IOException {
        if (n == 0) return null;
        if (n < 0 || n > MAX_ID_BYTES + 1) throw new IOException("corrupt BranchSignal: an id of " + (n - 1) + " bytes");
        byte[] bytes = new byte[(int) n - 1];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Far above any id of the reference data; a larger length is a corrupt stream, not an allocation to try. */
    private static final int MAX_ID_BYTES = 1 << 20;

    private static <E> E element(E[] values, int ordinal, String what) throws IOException {
        if (ordinal >= values.length) throw new IOException("corrupt BranchSignal: " + what + " ordinal " + ordinal);
        return values[ordinal];
    }

    @Override
    public TypeSerializerSnapshot<BranchSignal> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return catalog == null ? INSTANCE : this;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof BranchSignalSerializer other && other.catalog == catalog;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(catalog);
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BranchSignal> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link BranchSignal}. */
    public static final class Factory extends TypeInfoFactory<BranchSignal> {
        @Override
        public TypeInformation<BranchSignal> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(BranchSignal.class, INSTANCE);
        }
    }
}
