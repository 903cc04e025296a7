package org.turnoutstream.points;


import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InfluxPointSerializer}: Flink's own serializer checks (round trips one by one and in sequence, copies,
 * serialized copies, duplicate, Java serialization, snapshot and restore) over points with every field type,
 * plus what the job relies on: the type information Flink infers, field types and order kept, compatibility.
 */
class InfluxPointSerializerTest extends SerializerTestBase<InfluxPoint> {

    @Override protected TypeSerializer<InfluxPoint> createSerializer() { return InfluxPointSerializer.INSTANCE; }
    @Override protected int getLength() { return -1; }
    @Override protected Class<InfluxPoint> getTypeClass() { return InfluxPoint.class; }

    @Override
    protected InfluxPoint[] getTestData() {
        return testPoints().toArray(new InfluxPoint[0]);
    }

    static List<InfluxPoint> testPoints() {
        List<InfluxPoint> points = new ArrayList<>();
        points.add(InfluxPoint.measurement("national_turnout").tag("election", "2024-majlis-r1")
                .field("ballots", 123_456L).field("reporting", 17L).field("turnout_pct", 42.125)
                .field("final", false).field("note", "partial").time(1_717_400_000_000L).build());
        points.add(InfluxPoint.measurement("m").field("only", 1L).build());
        points.add(InfluxPoint.measurement("extremes").tag("a", "").tag("z", "last")
                .field("min", Long.MIN_VALUE).field("max", Long.MAX_VALUE).field("zero", 0L).field("negzero", -0.0)
                .field("nan", Double.NaN).field("inf", Double.NEGATIVE_INFINITY).field("tiny", Double.MIN_VALUE)
                .field("t", true).field("empty", "").time(Long.MIN_VALUE).build());
        points.add(InfluxPoint.measurement("unicode ✓").tag("constituency", "تهران").tag("branch", "alb-karaj-0001")
                .field("detail", "emoji 🗳️ and \u0000 nul").time(-1L).build());
        InfluxPoint.Builder wide = InfluxPoint.measurement("wide");
        for (int i = 0; i < 200; i++) { // counts above 127 take two bytes
            wide.tag("tag" + i, "v" + i);
            switch (i % 4) {
                case 0 -> wide.field("f" + i, (long) i);
                case 1 -> wide.field("f" + i, i * 0.5);
                case 2 -> wide.field("f" + i, i % 3 == 0);
                default -> wide.field("f" + i, "s" + i);
            }
        }
        points.add(wide.time(Long.MAX_VALUE).build());
        points.add(InfluxPoint.measurement("long string").field("text", "x".repeat(100_000)).time(5).build());
        points.add(points.get(0).withTag("run", "replay-7"));
        return points;
    }

    @Test
    void flinkInfersTheSerializerNotAGenericType() {
        TypeInformation<InfluxPoint> info = TypeInformation.of(InfluxPoint.class);
        assertInstanceOf(InfluxPointTypeInfo.class, info);
        SerializerConfigImpl strict = new SerializerConfigImpl();
        strict.setGenericTypes(false);
        assertSame(InfluxPointSerializer.INSTANCE, info.createSerializer(strict));
    }

    @Test
    void fieldTypesAndOrderSurviveARoundTrip() throws Exception {
        for (InfluxPoint point : testPoints()) {
            InfluxPoint back = roundTrip(point);
            assertEquals(point, back);
            assertEquals(new ArrayList<>(point.fields().keySet()), new ArrayList<>(back.fields().keySet()), "field order of " + point.measurement());
            assertEquals(new ArrayList<>(point.tags().keySet()), new ArrayList<>(back.tags().keySet()), "tag order of " + point.measurement());
            for (Map.Entry<String, Object> field : point.fields().entrySet()) {
                assertEquals(field.getValue().getClass(), back.field(field.getKey()).getClass(), field.getKey());
            }
            assertEquals(point.timeMillis(), back.timeMillis());
            assertEquals(point.hashCode(), back.hashCode());
        }
    }

    @Test
    void aTypicalPointIsCompact() throws Exception {
        InfluxPoint point = InfluxPoint.measurement("constituency_turnout").tag("election", "2024-majlis-r1").tag("constituency", "karaj")
                .field("ballots", 1234L).field("reporting", 3L).field("turnout_pct", 12.5).time(1_717_400_000_000L).build();
        DataOutputSerializer out = new DataOutputSerializer(64);
        InfluxPointSerializer.INSTANCE.serialize(point, out);
        // each string: a length byte and a byte per ASCII char; two counts; each field: its name, a type byte,
        // 8 bytes; the time: 8 bytes (131 bytes in all)
        int strings = (1 + 20) + (1 + 8) + (1 + 14) + (1 + 12) + (1 + 5) + (1 + 7) + (1 + 9) + (1 + 11);
        assertEquals(strings + 2 + 3 * (1 + 8) + 8, out.length());
    }

    @Test
    void aCopyIsThePointItself() {
        InfluxPoint point = testPoints().get(0);
        assertTrue(InfluxPointSerializer.INSTANCE.isImmutableType());
        assertSame(point, InfluxPointSerializer.INSTANCE.copy(point));
        assertSame(point, InfluxPointSerializer.INSTANCE.copy(point, testPoints().get(1)));
    }

    @Test
    void aRestoredSnapshotIsCompatibleAsIs() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, InfluxPointSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<InfluxPoint> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertInstanceOf(InfluxPointSerializer.Snapshot.class, restored);
        assertSame(InfluxPointSerializer.INSTANCE, restored.restoreSerializer());
        TypeSerializerSchemaCompatibility<InfluxPoint> compatibility =
                InfluxPointSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertTrue(compatibility.isCompatibleAsIs(), compatibility.toString());
    }

    @Test
    void theSerializerAndTypeInfoStaySingletonsThroughJavaSerialization() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        assertSame(InfluxPointSerializer.INSTANCE,
                InstantiationUtil.clone(InfluxPointSerializer.INSTANCE, loader));
        assertSame(InfluxPointTypeInfo.INSTANCE, InstantiationUtil.clone(InfluxPointTypeInfo.INSTANCE, loader));
    }

    @Test
    void corruptInputIsRefusedNotMisread() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        InfluxPointSerializer.INSTANCE.serialize(InfluxPoint.measurement("m").field("f", 1L).build(), out);
        byte[] bytes = out.getCopyOfBuffer();
        // measurement "m" (2 bytes), 0 tags, 1 field, name "f" (2 bytes), then the type byte
        assertEquals(InfluxPointSerializer.LONG, bytes[6]);
        bytes[6] = 9;
        assertThrows(java.io.IOException.class, () -> InfluxPointSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)));
    }

    @Test
    void countsAreVarInts() throws Exception {
        for (int n : new int[]{0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE}) {
            DataOutputSerializer out = new DataOutputSerializer(8);
            InfluxPointSerializer.writeCount(n, out);
            assertEquals(n < 128 ? 1 : n < 16_384 ? 2 : n == Integer.MAX_VALUE ? 5 : 3, out.length(), "bytes for " + n);
            assertEquals(n, InfluxPointSerializer.readCount(new DataInputDeserializer(out.getCopyOfBuffer())));
        }
    }

    private static InfluxPoint roundTrip(InfluxPoint point) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        InfluxPointSerializer.INSTANCE.serialize(point, out);
        byte[] bytes = out.getCopyOfBuffer();
        InfluxPoint back = InfluxPointSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
        DataOutputSerializer again = new DataOutputSerializer(64);
        InfluxPointSerializer.INSTANCE.serialize(back, again);
        assertArrayEquals(bytes, again.getCopyOfBuffer(), "serializing the copy gives the same bytes");
        return back;
    }
}
