package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;

/** {@link BranchOutageState} in a checkpoint (see {@link CompactStateSerializer}). */
public final class BranchOutageStateSerializer extends CompactStateSerializer<BranchOutageState> {
    private static final long serialVersionUID = 1L;
    public static final BranchOutageStateSerializer INSTANCE = new BranchOutageStateSerializer();
    private static final AlertReason[] REASONS = AlertReason.values();
    private static final LinkType[] LINKS = LinkType.values();

    private BranchOutageStateSerializer() {}

    @Override public BranchOutageState createInstance() { return new BranchOutageState(); }

    @Override
    public BranchOutageState copy(BranchOutageState from) {
        BranchOutageState to = new BranchOutageState();
        to.constituencyId = from.constituencyId;
        to.started = from.started;
        to.closed = from.closed;
        to.up = from.up;
        to.downSince = from.downSince;
        to.downReason = from.downReason;
        to.lastHeard = from.lastHeard;
        to.lastChange = from.lastChange;
        to.link = from.link;
        to.deadline = from.deadline;
        to.cleanupAt = from.cleanupAt;
        to.timerAt = from.timerAt;
        to.copyPendingFrom(from);
        return to;
    }

    @Override
    public void serialize(BranchOutageState s, DataOutputView out) throws IOException {
        serialize(s, 0, null, out);
    }

    /**
     * Its times as differences from {@code base} (0: as they are) and its constituency as a reference when it is
     * {@code knownConstituency}; read back by {@link #deserialize(long, String, DataInputView)}.
     */
    void serialize(BranchOutageState s, long base, String knownConstituency, DataOutputView out) throws IOException {
        writeConstituency(s.constituencyId, knownConstituency, out);
        out.writeByte((s.started ? 1 : 0) | (s.closed ? 2 : 0) | (s.up ? 4 : 0));
        out.writeByte(s.downReason == null ? -1 : s.downReason.ordinal());
        out.writeByte(s.link == null ? -1 : s.link.ordinal());
        writeTime(s.downSince, base, out);
        writeTime(s.lastHeard, base, out);
        writeTime(s.lastChange, base, out);
        writeTime(s.deadline, base, out);
        writeTime(s.cleanupAt, base, out);
        writeTime(s.timerAt, base, out);
        serialize((PendingSignals) s, base, out);
    }

    @Override
    public BranchOutageState deserialize(DataInputView in) throws IOException {
        return deserialize(0, null, in);
    }

    BranchOutageState deserialize(long base, String knownConstituency, DataInputView in) throws IOException {
        BranchOutageState s = new BranchOutageState();
        s.constituencyId = readConstituency(knownConstituency, in);
        int flags = in.readByte();
        s.started = (flags & 1) != 0;
        s.closed = (flags & 2) != 0;
        s.up = (flags & 4) != 0;
        int reason = in.readByte();
        s.downReason = reason < 0 ? null : REASONS[reason];
        int link = in.readByte();
        s.link = link < 0 ? null : LINKS[link];
        s.downSince = readTime(base, in);
        s.lastHeard = readTime(base, in);
        s.lastChange = readTime(base, in);
        s.deadline = readTime(base, in);
        s.cleanupAt = readTime(base, in);
        s.timerAt = readTime(base, in);
        deserializePending(in, s, base);
        return s;
    }

    @Override
    public TypeSerializerSnapshot<BranchOutageState> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BranchOutageState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link BranchOutageState}. */
    public static final class Factory extends TypeInfoFactory<BranchOutageState> {
        @Override
        public TypeInformation<BranchOutageState> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(BranchOutageState.class, INSTANCE);
        }
    }
}
