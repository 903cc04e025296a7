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

/** {@link IntegrityState} in a checkpoint (see {@link CompactStateSerializer}): only the kept reports, as differences. */
public final class IntegrityStateSerializer extends CompactStateSerializer<IntegrityState> {
    private static final long serialVersionUID = 1L;
    public static final IntegrityStateSerializer INSTANCE = new IntegrityStateSerializer();
    /** What a restored trail can hold before it grows (as a new one). */
    private static final int INITIAL_CAPACITY = 8;

    /** The flags byte (a boolean "started" before CLOCK_SKEW: it reads the same). */
    private static final int STARTED = 1, CLOCK_AHEAD = 2;

    private IntegrityStateSerializer() {}

    @Override public IntegrityState createInstance() { return new IntegrityState(); }

    @Override
    public IntegrityState copy(IntegrityState from) {
        IntegrityState to = new IntegrityState();
        to.constituencyId = from.constituencyId;
        to.sequences = Arrays.copyOf(from.sequences, from.sequences.length);
        to.ballots = Arrays.copyOf(from.ballots, from.ballots.length);
        to.times = Arrays.copyOf(from.times, from.times.length);
        to.flags = Arrays.copyOf(from.flags, from.flags.length);
        to.size = from.size;
        to.floorSequence = from.floorSequence;
        to.floorMaxBallots = from.floorMaxBallots;
        to.closedAt = from.closedAt;
        to.cleanupAt = from.cleanupAt;
        to.started = from.started;
        to.clockAhead = from.clockAhead;
        to.timerAt = from.timerAt;
        to.copyPendingFrom(from);
        return to;
    }

    @Override
    public void serialize(IntegrityState s, DataOutputView out) throws IOException {
        serialize(s, 0, null, out);
    }

    /**
     * Its times as differences from {@code base} (0: as they are) and its constituency as a reference when it is
     * {@code knownConstituency}; read back by {@link #deserialize(long, String, DataInputView)}.
     */
    void serialize(IntegrityState s, long base, String knownConstituency, DataOutputView out) throws IOException {
        writeConstituency(s.constituencyId, knownConstituency, out);
        out.writeByte((s.started ? STARTED : 0) | (s.clockAhead ? CLOCK_AHEAD : 0));
        writeLong(s.size, out);
        writeDeltas(s.sequences, s.size, out);
        writeDeltas(s.ballots, s.size, out);
        writeDeltas(s.times, s.size, base, out);
        for (int i = 0; i < s.size; i++) out.writeByte(s.flags[i]);
        writeTime(s.floorSequence, out);
        writeLong(s.floorMaxBallots, out);
        writeTime(s.closedAt, base, out);
        writeTime(s.cleanupAt, base, out);
        writeTime(s.timerAt, base, out);
        serialize((PendingSignals) s, base, out);
    }

    @Override
    public IntegrityState deserialize(DataInputView in) throws IOException {
        return deserialize(0, null, in);
    }

    IntegrityState deserialize(long base, String knownConstituency, DataInputView in) throws IOException {
        IntegrityState s = new IntegrityState();
        s.constituencyId = readConstituency(knownConstituency, in);
        int flags = in.readByte();
        s.started = (flags & STARTED) != 0;
        s.clockAhead = (flags & CLOCK_AHEAD) != 0;
        int size = (int) readLong(in);
        s.size = size;
        s.sequences = readDeltas(size, INITIAL_CAPACITY, in);
        s.ballots = readDeltas(size, INITIAL_CAPACITY, in);
        s.times = readDeltas(size, INITIAL_CAPACITY, base, in);
        s.flags = new byte[s.sequences.length];
        for (int i = 0; i < size; i++) s.flags[i] = in.readByte();
        s.floorSequence = readTime(in);
        s.floorMaxBallots = readLong(in);
        s.closedAt = readTime(base, in);
        s.cleanupAt = readTime(base, in);
        s.timerAt = readTime(base, in);
        deserializePending(in, s, base);
        return s;
    }

    @Override
    public TypeSerializerSnapshot<IntegrityState> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<IntegrityState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link IntegrityState}. */
    public static final class Factory extends TypeInfoFactory<IntegrityState> {
        @Override
        public TypeInformation<IntegrityState> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(IntegrityState.class, INSTANCE);
        }
    }
}
