package org.turnoutstream.points;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flink's serializer for {@link InfluxPoint} (instead of Kryo). The wire format:
 * <pre>
 * measurement            string (Flink's StringValue encoding)
 * tag count              unsigned var-int, then name, value (strings) per tag, in name order
 * field count            unsigned var-int, then per field, in insertion order:
 *                        name (string), a type byte, the value: LONG 8 bytes, DOUBLE 8 bytes, BOOLEAN 1 byte, STRING string
 * time                   8 bytes (epoch millis)
 * </pre>
 * Points are immutable, so a copy is the point itself. Stateless: one {@link #INSTANCE}. This is version 1 of
 * {@link Snapshot}'s format; changing it needs a new snapshot version that can still read the old one
 * (unaligned checkpoints keep points in flight, and any state holding points would keep them too).
 */
public final class InfluxPointSerializer extends TypeSerializer<InfluxPoint> {
    private static final long serialVersionUID = 1L;

    public static final InfluxPointSerializer INSTANCE = new InfluxPointSerializer();

    static final byte LONG = 0;
    static final byte DOUBLE = 1;
    static final byte BOOLEAN = 2;
    static final byte STRING = 3;

    private InfluxPointSerializer() {}

    @Override public boolean isImmutableType() { return true; }
    @Override public TypeSerializer<InfluxPoint> duplicate() { return this; }

    /** A placeholder (Flink asks for one): no tags, no fields; not a point the builder would build. */
    @Override
    public InfluxPoint createInstance() {
        return new InfluxPoint("", new TreeMap<>(), new LinkedHashMap<>(), 0L);
    }

    @Override public InfluxPoint copy(InfluxPoint from) { return from; }
    @Override public InfluxPoint copy(InfluxPoint from, InfluxPoint reuse) { return from; }
    @Override public int getLength() { return -1; }

    @Override
    public void serialize(InfluxPoint point, DataOutputView target) throws IOException {
        StringValue.writeString(point.measurement(), target);
        TreeMap<String, String> tags = point.tagMap();
        writeCount(tags.size(), target);
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            StringValue.writeString(tag.getKey(), target);
            StringValue.writeString(tag.getValue(), target);
        }
        LinkedHashMap<String, Object> fields = point.fieldMap();
        writeCount(fields.size(), target);
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            StringValue.writeString(field.getKey(), target);
            Object value = field.getValue();
            if (value instanceof Long l) {
                target.writeByte(LONG);
                target.writeLong(l);
            } else if (value instanceof Double d) {
                target.writeByte(DOUBLE);
                target.writeDouble(d);
            } else if (value instanceof Boolean b) {
                target.writeByte(BOOLEAN);
                target.writeBoolean(b);
            } else if (value instanceof String s) {
                target.writeByte(STRING);
                StringValue.writeString(s, target);
            } else {
                throw new IOException("field " + field.getKey() + " of " + point.measurement() + " is a "
                        + (value == null ? "null" : value.getClass().getName()) + ", not a Long, Double, Boolean or String");
            }
        }
        target.writeLong(point.timeMillis());
    }

    @Override
    public InfluxPoint deserialize(DataInputView source) throws IOException {
        String measurement = StringValue.readString(source);
        int tagCount = readCount(source);
        TreeMap<String, String> tags = new TreeMap<>();
        for (int i = 0; i < tagCount; i++) tags.put(StringValue.readString(source), StringValue.readString(source));
        int fieldCount = readCount(source);
        LinkedHashMap<String, Object> fields = new LinkedHashMap<>(capacity(fieldCount));
        for (int i = 0; i < fieldCount; i++) {
            String name = StringValue.readString(source);
            byte type = source.readByte();
            fields.put(name, switch (type) {
                case LONG -> source.readLong();
                case DOUBLE -> source.readDouble();
                case BOOLEAN -> source.readBoolean();
                case STRING -> StringValue.readString(source);
                default -> throw new IOException("corrupt InfluxPoint: field " + name + " of " + measurement + " has type byte " + type);
            });
        }
        return new InfluxPoint(measurement, tags, fields, source.readLong());
    }

    @Override
    public InfluxPoint deserialize(InfluxPoint reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        StringValue.copyString(source, target);
        int tagCount = readCount(source);
        writeCount(tagCount, target);
        for (int i = 0; i < 2 * tagCount; i++) StringValue.copyString(source, target);
        int fieldCount = readCount(source);
        writeCount(fieldCount, target);
        for (int i = 0; i < fieldCount; i++) {
            StringValue.copyString(source, target);
            byte type = source.readByte();
            target.writeByte(type);
            switch (type) {
                case LONG, DOUBLE -> target.write(source, 8);
                case BOOLEAN -> target.write(source, 1);
                case STRING -> StringValue.copyString(source, target);
                default -> throw new IOException("corrupt InfluxPoint: a field has type byte " + type);
            }
        }
        target.write(source, 8);
    }

    /** Counts as unsigned var-ints: one byte for fewer than 128 tags or fields. */
    static void writeCount(int n, DataOutput out) throws IOException {
        while ((n & ~0x7F) != 0) {
            out.writeByte((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out.writeByte(n);
    }

    static int readCount(DataInput in) throws IOException {
        int n = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int b = in.readUnsignedByte();
            n |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (n < 0) throw new IOException("corrupt InfluxPoint: negative count " + n);
                return n;
            }
        }
        throw new IOException("corrupt InfluxPoint: a count longer than 5 bytes");
    }

    private static int capacity(int entries) {
        return entries < 3 ? 4 : (int) (entries / 0.75f) + 1;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof InfluxPointSerializer;
    }

    @Override
    public int hashCode() {
        return InfluxPointSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<InfluxPoint> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /**
     * What checkpoints and savepoints keep of the serializer: only its class and version (it has no
     * configuration). A restored snapshot of this class is compatible as is.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<InfluxPoint> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
