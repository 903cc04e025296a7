package org.turnoutstream.events;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Avro's reader for a generated record class, with what it looks up per string and per enum value answered once:
 * {@code GenericDatumReader} asks a cache for each string's Java class (allocating a key and a lambda every time) and
 * turns each enum symbol into its constant by name. Here both are worked out when the reader is made, by walking the
 * reader schema: a string field of a generated class (stringType String) is read as a String, an enum value is the
 * constant at the index the (resolving) decoder gives. Any schema not found that way goes the usual way. Immutable
 * after construction, so as thread-safe as Avro's own reader.
 */
final class ResolvedRecordReader<T> extends SpecificDatumReader<T> {
    private final Map<Schema, Class<?>> stringClasses = new IdentityHashMap<>();
    private final Map<Schema, Object[]> enumConstants = new IdentityHashMap<>();

    ResolvedRecordReader(Schema writer, Schema reader, SpecificData model) {
        super(writer, reader, model);
        walk(reader, new IdentityHashMap<>());
    }

    private void walk(Schema schema, IdentityHashMap<Schema, Boolean> seen) {
        if (seen.put(schema, Boolean.TRUE) != null) return;
        switch (schema.getType()) {
            case STRING -> stringClasses.put(schema, findStringClass(schema));
            case ENUM -> {
                Class<?> type = getSpecificData().getClass(schema);
                if (type != null && type.isEnum()) {
                    Object[] constants = new Object[schema.getEnumSymbols().size()];
                    for (int i = 0; i < constants.length; i++) constants[i] = createEnum(schema.getEnumSymbols().get(i), schema);
                    enumConstants.put(schema, constants);
                }
            }
            case RECORD -> schema.getFields().forEach(f -> walk(f.schema(), seen));
            case UNION -> schema.getTypes().forEach(t -> walk(t, seen));
            case ARRAY -> walk(schema.getElementType(), seen);
            case MAP -> walk(schema.getValueType(), seen);
            default -> { }
        }
    }

    @Override
    protected Object readString(Object old, Schema expected, Decoder in) throws IOException {
        if (stringClasses.get(expected) == String.class) return in.readString();
        return super.readString(old, expected, in);
    }

    @Override
    protected Object readEnum(Schema expected, Decoder in) throws IOException {
        Object[] constants = enumConstants.get(expected);
        if (constants == null) return super.readEnum(expected, in);
        int index = in.readEnum();
        if (index < 0 || index >= constants.length) throw new IOException("enum index " + index + " outside " + expected.getFullName());
        return constants[index];
    }
}
