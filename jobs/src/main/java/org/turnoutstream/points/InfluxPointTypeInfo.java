package org.turnoutstream.points;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Flink's type information for {@link InfluxPoint}: an opaque (non-key) type with its own serializer,
 * {@link InfluxPointSerializer}. {@code TypeInformation.of(InfluxPoint.class)} and every inferred
 * {@code InfluxPoint} stream get it through {@link Factory} ({@code @TypeInfo} on the class).
 */
public final class InfluxPointTypeInfo extends TypeInformation<InfluxPoint> {
    private static final long serialVersionUID = 1L;

    public static final InfluxPointTypeInfo INSTANCE = new InfluxPointTypeInfo();

    private InfluxPointTypeInfo() {}

    @Override public boolean isBasicType() { return false; }
    @Override public boolean isTupleType() { return false; }
    @Override public int getArity() { return 1; }
    @Override public int getTotalFields() { return 1; }
    @Override public Class<InfluxPoint> getTypeClass() { return InfluxPoint.class; }
    @Override public boolean isKeyType() { return false; }

    @Override
    public TypeSerializer<InfluxPoint> createSerializer(SerializerConfig config) {
        return InfluxPointSerializer.INSTANCE;
    }

    @Override public String toString() { return "InfluxPoint"; }
    @Override public boolean equals(Object obj) { return obj instanceof InfluxPointTypeInfo; }
    @Override public int hashCode() { return InfluxPointTypeInfo.class.hashCode(); }
    @Override public boolean canEqual(Object obj) { return obj instanceof InfluxPointTypeInfo; }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Named by {@code @TypeInfo} on {@link InfluxPoint}. */
    public static final class Factory extends TypeInfoFactory<InfluxPoint> {
        @Override
        public TypeInformation<InfluxPoint> createTypeInfo(Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
