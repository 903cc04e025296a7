package org.turnoutstream.functions;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Map;

/** {@link BranchHistory} in a checkpoint (see {@link CompactStateSerializer}): the kept steps and seen ranges, as differences. */
public final class BranchHistorySerializer extends CompactStateSerializer<BranchHistory> {
    private static final long serialVersionUID = 1L;
    public static final BranchHistorySerializer INSTANCE = new BranchHistorySerializer();
    /** What a restored history can hold before it grows (as a new one). */
    private static final int INITIAL_CAPACITY = 4;

    private BranchHistorySerializer() {}

    @Override public BranchHistory createInstance() { return new BranchHistory(); }

    @Override
    public BranchHistory copy(BranchHistory from) {
        BranchHistory to = new BranchHistory();
        to.times = Arrays.copyOf(from.times, from.times.length);
        to.sequences = Arrays.copyOf(from.sequences, from.sequences.length);
        to.ballots = Arrays.copyOf(from.ballots, from.ballots.length);
        to.size = from.size;
        to.compacted = from.compacted;
        to.seenRanges = Arrays.copyOf(from.seenRanges, from.seenRanges.length);
        to.seenLength = from.seenLength;
        return to;
    }

    @Override
    public void serialize(BranchHistory h, DataOutputView out) throws IOException {
        serialize(h, 0, out);
    }

    /** Its times as differences from {@code base} (0: as they are), read back by {@link #deserialize(long, DataInputView)}. */
    void serialize(BranchHistory h, long base, DataOutputView out) throws IOException {
        writeLong(h.size, out);
        writeDeltas(h.times, h.size, base, out);
        writeDeltas(h.sequences, h.size, out);
        writeDeltas(h.ballots, h.size, out);
        out.writeBoolean(h.compacted);
        writeLong(h.seenLength, out);
        writeDeltas(h.seenRanges, h.seenLength, out);
    }

    @Override
    public BranchHistory deserialize(DataInputView in) throws IOException {
        return deserialize(0, in);
    }

    BranchHistory deserialize(long base, DataInputView in) throws IOException {
        BranchHistory h = new BranchHistory();
        int size = (int) readLong(in);
        h.size = size;
        h.times = readDeltas(size, INITIAL_CAPACITY, base, in);
        h.sequences = readDeltas(size, INITIAL_CAPACITY, in);
        h.ballots = readDeltas(size, INITIAL_CAPACITY, in);
        h.compacted = in.readBoolean();
        int seen = (int) readLong(in);
        h.seenLength = seen;
        h.seenRanges = readDeltas(seen, 0, in);
        return h;
    }

    @Override
    public TypeSerializerSnapshot<BranchHistory> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BranchHistory> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link BranchHistory}. */
    public static final class Factory extends TypeInfoFactory<BranchHistory> {
        @Override
        public TypeInformation<BranchHistory> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(BranchHistory.class, INSTANCE);
        }
    }
}
