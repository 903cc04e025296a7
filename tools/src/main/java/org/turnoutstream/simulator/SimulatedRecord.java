package org.turnoutstream.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * One record the simulator sends, in send order. Either {@code record} (a TurnoutReport or
 * ConnectivityEvent, framed by a {@link RecordEncoder}) or {@code rawValue} (bytes sent as they are)
 * is set. {@code fault} says what was done on purpose; for {@link FaultKind#CORRUPT_AVRO} the encoder
 * cuts the encoded body short. Times are epoch milliseconds of the simulated day.
 */
public record SimulatedRecord(String topic, byte[] key, SpecificRecord record, byte[] rawValue, FaultKind fault,
                              long eventTimeMillis, long sendAtMillis) {

    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    public Instant eventTime() { return Instant.ofEpochMilli(eventTimeMillis); }
    public Instant sendAt() { return Instant.ofEpochMilli(sendAtMillis); }

    public Optional<TurnoutReport> turnoutReport() {
        return record instanceof TurnoutReport r ? Optional.of(r) : Optional.empty();
    }

    public Optional<ConnectivityEvent> connectivityEvent() {
        return record instanceof ConnectivityEvent e ? Optional.of(e) : Optional.empty();
    }

    /** A TurnoutReport that should count (not malformed on purpose; duplicates, late ones etc. are valid). */
    public boolean isValidReport() {
        return record instanceof TurnoutReport && !fault.isMalformed();
    }

    @Override
    public String toString() {
        return "SimulatedRecord[" + topic + " " + keyString() + " " + fault + " sendAt=" + sendAt() + " "
                + (record != null ? record : rawValue.length + " raw bytes") + "]";
    }
}
