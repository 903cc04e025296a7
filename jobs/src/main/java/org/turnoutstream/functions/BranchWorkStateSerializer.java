package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * {@link BranchWorkState} in a checkpoint (see {@link CompactStateSerializer}): which parts are there (one byte), a
 * time base ({@link #timeBase}), the key's timer, then each part in its own format with its times against the base
 * (the integrity trail's constituency, the detector's as a rule, as one byte).
 */
public final class BranchWorkStateSerializer extends CompactStateSerializer<BranchWorkState> {
    private static final long serialVersionUID = 1L;
    public static final BranchWorkStateSerializer INSTANCE = new BranchWorkStateSerializer();
    private static final int HISTORY = 1, OUTAGE = 2, INTEGRITY = 4;

    private BranchWorkStateSerializer() {}

    @Override public BranchWorkState createInstance() { return new BranchWorkState(); }

    @Override
    public BranchWorkState copy(BranchWorkState from) {
        BranchWorkState to = new BranchWorkState();
        if (from.history != null) to.history = BranchHistorySerializer.INSTANCE.copy(from.history);
        if (from.outage != null) to.outage = BranchOutageStateSerializer.INSTANCE.copy(from.outage);
        if (from.integrity != null) to.integrity = IntegrityStateSerializer.INSTANCE.copy(from.integrity);
        to.timerAt = from.timerAt;
        to.branch = from.branch;
        to.integrityTimerChanged();
        return to;
    }

    @Override
    public void serialize(BranchWorkState s, DataOutputView out) throws IOException {
        out.writeByte((s.history != null ? HISTORY : 0) | (s.outage != null ? OUTAGE : 0) | (s.integrity != null ? INTEGRITY : 0));
        long base = timeBase(s);
        writeLong(base, out);
        writeTime(s.timerAt, base, out);
        if (s.history != null) BranchHistorySerializer.INSTANCE.serialize(s.history, base, out);
        if (s.outage != null) BranchOutageStateSerializer.INSTANCE.serialize(s.outage, base, null, out);
        if (s.integrity != null) IntegrityStateSerializer.INSTANCE.serialize(s.integrity, base, s.outage == null ? null : s.outage.constituencyId, out);
    }

    @Override
    public BranchWorkState deserialize(DataInputView in) throws IOException {
        BranchWorkState s = new BranchWorkState();
        int parts = in.readByte();
        long base = readLong(in);
        s.timerAt = readTime(base, in);
        if ((parts & HISTORY) != 0) s.history = BranchHistorySerializer.INSTANCE.deserialize(base, in);
        if ((parts & OUTAGE) != 0) s.outage = BranchOutageStateSerializer.INSTANCE.deserialize(base, null, in);
        if ((parts & INTEGRITY) != 0) {
            s.integrity = IntegrityStateSerializer.INSTANCE.deserialize(base, s.outage == null ? null : s.outage.constituencyId, in);
        }
        s.integrityTimerChanged();
        return s;
    }

    /**
     * The time every other is written against, once (its times lie within minutes of each other, so each takes two or
     * three bytes instead of six): the key's timer, else when the branch was last heard, else 0.
     */
    static long timeBase(BranchWorkState s) {
        if (s.timerAt != BranchWorkState.NONE) return s.timerAt;
        if (s.outage != null && s.outage.lastHeard != BranchOutageState.NONE) return s.outage.lastHeard;
        if (s.history != null && s.history.size > 0) return s.history.times[s.history.size - 1];
        return 0;
    }

    @Override
    public TypeSerializerSnapshot<BranchWorkState> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BranchWorkState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link BranchWorkState}. */
    public static final class Factory extends TypeInfoFactory<BranchWorkState> {
        @Override
        public TypeInformation<BranchWorkState> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(BranchWorkState.class, INSTANCE);
        }
    }
}
