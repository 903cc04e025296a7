package org.turnoutstream.functions;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.turnoutstream.signals.BranchSignalSerializer;
import org.turnoutstream.signals.CompactSerializer;

import java.io.IOException;
import java.util.Arrays;

/**
 * The base of the per-branch state serializers ({@link BranchOutageStateSerializer}, {@link IntegrityStateSerializer},
 * {@link BranchHistorySerializer}): hand-written instead of Flink's PojoSerializer, because there are 60,000 branches and
 * (1) a checkpoint writes every one: only the used part of each array, as zig-zag var-ints of the differences between
 * neighbours (times, sequences and counts grow slowly), a few bytes per value instead of 8 and no empty slots; (2) while
 * an asynchronous snapshot runs, the heap backend copies each entry it hands out (copy on write): a plain copy, not
 * reflection. Stateless, so one instance serves every thread. Changing a format needs a new snapshot version. The
 * {@link PendingSignals} buffers of the detector and the integrity checks are written here too, and the same encoding
 * carries every signal through the shuffle by branch ({@link BranchSignalSerializer}, whose
 * base {@link CompactSerializer} holds the var-ints and the type information).
 */
abstract class CompactStateSerializer<T> extends CompactSerializer<T> {
    private static final long serialVersionUID = 1L;

    /** {@code values[0..n)}, each as the difference from the one before (the first from 0). */
    static void writeDeltas(long[] values, int n, DataOutputView out) throws IOException {
        writeDeltas(values, n, 0, out);
    }

    /** {@code values[0..n)}, each as the difference from the one before, the first from {@code base}. */
    static void writeDeltas(long[] values, int n, long base, DataOutputView out) throws IOException {
        long previous = base;
        for (int i = 0; i < n; i++) {
            writeLong(values[i] - previous, out);
            previous = values[i];
        }
    }

    /** Reads {@code n} values written by {@link #writeDeltas} into a new array of {@code capacity} (at least n). */
    static long[] readDeltas(int n, int capacity, DataInputView in) throws IOException {
        return readDeltas(n, capacity, 0, in);
    }

    static long[] readDeltas(int n, int capacity, long base, DataInputView in) throws IOException {
        long[] values = new long[Math.max(n, capacity)];
        long previous = base;
        for (int i = 0; i < n; i++) {
            previous += readLong(in);
            values[i] = previous;
        }
        return values;
    }

    static void writeNullableString(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) StringValue.writeString(s, out);
    }

    static String readNullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? StringValue.readString(in) : null;
    }

    /**
     * A constituency id that another part of the same state may already have written ({@code known}, null if none):
     * then one byte instead of the id. Without a known id the bytes are those of {@link #writeNullableString}.
     */
    static void writeConstituency(String id, String known, DataOutputView out) throws IOException {
        if (id != null && id.equals(known)) out.writeByte(2);
        else writeNullableString(id, out);
    }

    static String readConstituency(String known, DataInputView in) throws IOException {
        int marker = in.readUnsignedByte();
        if (marker == 2) {
            if (known == null) throw new IOException("malformed state: a constituency refers to one not written before");
            return known;
        }
        return marker == 0 ? null : StringValue.readString(in);
    }

    /** A time that may be NONE (Long.MIN_VALUE, as in the state classes): a marker byte, then the var-int. */
    static void writeTime(long t, DataOutputView out) throws IOException {
        writeTime(t, 0, out);
    }

    static long readTime(DataInputView in) throws IOException {
        return readTime(0, in);
    }

    /**
     * A time as its difference from {@code base} (a time of the same branch: a few bytes instead of the six of an epoch
     * millisecond; the arithmetic wraps both ways, so any value reads back exactly).
     */
    static void writeTime(long t, long base, DataOutputView out) throws IOException {
        out.writeBoolean(t != Long.MIN_VALUE);
        if (t != Long.MIN_VALUE) writeLong(t - base, out);
    }

    static long readTime(long base, DataInputView in) throws IOException {
        return in.readBoolean() ? base + readLong(in) : Long.MIN_VALUE;
    }

    /** The used part of the buffer: per signal its heard time (as a difference), then the other fields. */
    static void serialize(PendingSignals p, DataOutputView out) throws IOException {
        serialize(p, 0, out);
    }

    /** As {@link #serialize(PendingSignals, DataOutputView)}, the first heard time from {@code base}. */
    static void serialize(PendingSignals p, long base, DataOutputView out) throws IOException {
        writeLong(p.size, out);
        long previous = base;
        for (int i = 0; i < p.size; i++) {
            long heard = p.heardAt(i);
            writeLong(heard - previous, out);
            previous = heard;
            writeLong(p.eventTime(i) - heard, out); // event time against heard time
            for (int f = 2; f < PendingSignals.STRIDE; f++) writeLong(p.field(i, f), out);
        }
    }

    /** Reads what {@link #serialize(PendingSignals, DataOutputView)} wrote into the (empty) buffer of a new state. */
    static void deserializePending(DataInputView in, PendingSignals p) throws IOException {
        deserializePending(in, p, 0);
    }

    static void deserializePending(DataInputView in, PendingSignals p, long base) throws IOException {
        int size = (int) readLong(in);
        if (size < 0) throw new IOException("corrupt state: " + size + " pending signals");
        long previous = base;
        for (int i = 0; i < size; i++) {
            previous += readLong(in);
            long event = previous + readLong(in);
            long kindAndLink = readLong(in), sequence = readLong(in), ballots = readLong(in);
            p.add(previous, event, kindAndLink, sequence, ballots); // in order as written: an append each
        }
    }
}
