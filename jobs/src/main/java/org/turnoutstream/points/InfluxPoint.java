package org.turnoutstream.points;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One InfluxDB point: measurement, tags, fields and a millisecond timestamp. Writing the same point
 * twice overwrites it (same series, same time), which is what makes replays and restarts idempotent.
 * Field values are Long (written as integers), Double, Boolean or String.
 *
 * <p>Between Flink operators a point travels with its own serializer ({@link InfluxPointSerializer}, through
 * {@link InfluxPointTypeInfo}), not as a Kryo generic type.
 */
@TypeInfo(InfluxPointTypeInfo.Factory.class)
public final class InfluxPoint implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String measurement;
    private final TreeMap<String, String> tags;
    private final LinkedHashMap<String, Object> fields;
    private final long timeMillis;

    /** Takes the maps as they are (no copy): for the builder, {@link #withTag} and {@link InfluxPointSerializer}. */
    InfluxPoint(String measurement, TreeMap<String, String> tags, LinkedHashMap<String, Object> fields, long timeMillis) {
        this.measurement = measurement;
        this.tags = tags;
        this.fields = fields;
        this.timeMillis = timeMillis;
    }

    public static Builder measurement(String measurement) {
        return new Builder(measurement);
    }

    public String measurement() { return measurement; }
    public Map<String, String> tags() { return Collections.unmodifiableMap(tags); }
    public Map<String, Object> fields() { return Collections.unmodifiableMap(fields); }
    public long timeMillis() { return timeMillis; }

    /** The maps themselves, read-only by convention: for {@link InfluxPointSerializer} (no wrapper per point). */
    TreeMap<String, String> tagMap() { return tags; }
    LinkedHashMap<String, Object> fieldMap() { return fields; }

    public String tag(String name) { return tags.get(name); }
    public Object field(String name) { return fields.get(name); }

    /** The same point with one more tag (or the tag replaced): e.g. {@code run=<replay id>} on a replay's points. */
    public InfluxPoint withTag(String name, String value) {
        TreeMap<String, String> more = new TreeMap<>(tags);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
        return new InfluxPoint(measurement, more, fields, timeMillis);
    }

    /** The same point with these fields added (or replaced), after its own: e.g. the comparison with a baseline. */
    public InfluxPoint withFields(Map<String, ?> more) {
        LinkedHashMap<String, Object> all = new LinkedHashMap<>(fields);
        more.forEach((name, value) -> all.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name)));
        return new InfluxPoint(measurement, tags, all, timeMillis);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof InfluxPoint)) return false;
        InfluxPoint that = (InfluxPoint) o;
        return timeMillis == that.timeMillis && measurement.equals(that.measurement)
                && tags.equals(that.tags) && fields.equals(that.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(measurement, tags, fields, timeMillis);
    }

    @Override
    public String toString() {
        return measurement + tags + fields + "@" + timeMillis;
    }

    public static final class Builder {
        private final String measurement;
        private final TreeMap<String, String> tags = new TreeMap<>();
        private final LinkedHashMap<String, Object> fields = new LinkedHashMap<>();
        private long timeMillis;

        private Builder(String measurement) {
            this.measurement = Objects.requireNonNull(measurement, "measurement");
        }

        public Builder tag(String name, String value) { tags.put(name, Objects.requireNonNull(value, name)); return this; }
        public Builder field(String name, long value) { fields.put(name, value); return this; }
        public Builder field(String name, double value) { fields.put(name, value); return this; }
        public Builder field(String name, boolean value) { fields.put(name, value); return this; }
        public Builder field(String name, String value) { fields.put(name, Objects.requireNonNull(value, name)); return this; }
        public Builder time(long epochMillis) { this.timeMillis = epochMillis; return this; }

        public InfluxPoint build() {
            if (fields.isEmpty()) throw new IllegalStateException("a point needs at least one field: " + measurement);
            return new InfluxPoint(measurement, new TreeMap<>(tags), new LinkedHashMap<>(fields), timeMillis);
        }
    }
}
