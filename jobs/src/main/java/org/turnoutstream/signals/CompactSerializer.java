package org.turnoutstream.signals;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Objects;

/**
 * The base of the hand-written serializers: {@link BranchSignalSerializer} on the shuffle by branch and the per-branch
 * state serializers of the keyed functions ({@code functions.CompactStateSerializer}). Instead of Flink's PojoSerializer
 * (reflection per field, a null marker per field, 8 bytes per long) they write zig-zag var-ints ({@link #writeLong}) and
 * copy without reflection. Stateless, so one instance serves every thread.
 */
public abstract class CompactSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    @Override public boolean isImmutableType() { return false; }
    @Override public TypeSerializer<T> duplicate() { return this; }
    @Override public T copy(T from, T reuse) { return copy(from); }
    @Override public int getLength() { return -1; }
    @Override public T deserialize(T reuse, DataInputView source) throws IOException { return deserialize(source); }
    @Override public void copy(DataInputView source, DataOutputView target) throws IOException { serialize(deserialize(source), target); }
    @Override public boolean equals(Object obj) { return obj != null && obj.getClass() == getClass(); }
    @Override public int hashCode() { return getClass().hashCode(); }

    protected static void writeLong(long v, DataOutputView out) throws IOException {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out.writeByte((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.writeByte((int) z);
    }

    protected static long readLong(DataInputView in) throws IOException {
        long z = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            z |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
            if (shift > 63) throw new IOException("malformed var-int in state");
        }
        return (z >>> 1) ^ -(z & 1);
    }

    /** Flink's type information for a class with its own serializer (named by {@code @TypeInfo} on the class). */
    public static final class Info<T> extends TypeInformation<T> {
        private static final long serialVersionUID = 1L;
        private final Class<T> type;
        private final TypeSerializer<T> serializer;

        public Info(Class<T> type, TypeSerializer<T> serializer) {
            this.type = type;
            this.serializer = serializer;
        }

        @Override public boolean isBasicType() { return false; }
        @Override public boolean isTupleType() { return false; }
        @Override public int getArity() { return 1; }
        @Override public int getTotalFields() { return 1; }
        @Override public Class<T> getTypeClass() { return type; }
        @Override public boolean isKeyType() { return false; }
        @Override public TypeSerializer<T> createSerializer(SerializerConfig config) { return serializer; }
        @Override public String toString() { return type.getSimpleName(); }
        @Override public boolean equals(Object obj) { return obj instanceof Info<?> other && other.type == type; }
        @Override public int hashCode() { return Objects.hash(Info.class, type); }
        @Override public boolean canEqual(Object obj) { return obj instanceof Info<?>; }
    }
}
