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
import java.util.Arrays;
import java.util.Map;

import static org.turnoutstream.functions.BranchOutageState.NONE;

/** {@link BranchOutageState} in a checkpoint (see {@link CompactStateSerializer}); {@link PendingSignals} with it. */
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
        to.pending = copy(from.pending);
        return to;
    }

    @Override
    public void serialize(BranchOutageState s, DataOutputView out) throws IOException {
        writeNullableString(s.constituencyId, out);
        out.writeByte((s.started ? 1 : 0) | (s.closed ? 2 : 0) | (s.up ? 4 : 0));
        out.writeByte(s.downReason == null ? -1 : s.downReason.ordinal());
        out.writeByte(s.link == null ? -1 : s.link.ordinal());
        writeTime(s.downSince, out);
        writeTime(s.lastHeard, out);
        writeTime(s.lastChange, out);
        writeTime(s.deadline, out);
        writeTime(s.cleanupAt, out);
        writeTime(s.timerAt, out);
        serialize(s.pending, out);
    }

    @Override
    public BranchOutageState deserialize(DataInputView in) throws IOException {
        BranchOutageState s = new BranchOutageState();
        s.constituencyId = readNullableString(in);
        int flags = in.readByte();
        s.started = (flags & 1) != 0;
        s.closed = (flags & 2) != 0;
        s.up = (flags & 4) != 0;
        int reason = in.readByte();
        s.downReason = reason < 0 ? null : REASONS[reason];
        int link = in.readByte();
        s.link = link < 0 ? null : LINKS[link];
        s.downSince = readTime(in);
        s.lastHeard = readTime(in);
        s.lastChange = readTime(in);
        s.deadline = readTime(in);
        s.cleanupAt = readTime(in);
        s.timerAt = readTime(in);
        s.pending = deserializePending(in);
        return s;
    }

    /** A time that may be NONE: a marker byte, then the var-int. */
    private static void writeTime(long t, DataOutputView out) throws IOException {
        out.writeBoolean(t != NONE);
        if (t != NONE) writeLong(t, out);
    }

    private static long readTime(DataInputView in) throws IOException {
        return in.readBoolean() ? readLong(in) : NONE;
    }

    static PendingSignals copy(PendingSignals from) {
        PendingSignals to = new PendingSignals();
        to.size = from.size;
        to.signals = from.signals == null ? null : Arrays.copyOf(from.signals, from.signals.length);
        return to;
    }

    /** The used part of the buffer: per signal its heard time (as a difference), then the other fields. */
    static void serialize(PendingSignals p, DataOutputView out) throws IOException {
        writeLong(p.size, out);
        long previous = 0;
        for (int i = 0; i < p.size; i++) {
            int o = i * PendingSignals.STRIDE;
            writeLong(p.signals[o] - previous, out);
            previous = p.signals[o];
            writeLong(p.signals[o + 1] - p.signals[o], out); // event time against heard time
            for (int f = 2; f < PendingSignals.STRIDE; f++) writeLong(p.signals[o + f], out);
        }
    }

    static PendingSignals deserializePending(DataInputView in) throws IOException {
        PendingSignals p = new PendingSignals();
        int size = (int) readLong(in);
        if (size == 0) return p;
        p.signals = new long[size * PendingSignals.STRIDE];
        p.size = size;
        long previous = 0;
        for (int i = 0; i < size; i++) {
            int o = i * PendingSignals.STRIDE;
            previous += readLong(in);
            p.signals[o] = previous;
            p.signals[o + 1] = previous + readLong(in);
            for (int f = 2; f < PendingSignals.STRIDE; f++) p.signals[o + f] = readLong(in);
        }
        return p;
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
