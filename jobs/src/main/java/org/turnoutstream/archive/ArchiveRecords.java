package org.turnoutstream.archive;

import org.turnoutstream.events.RawRecord;
import org.turnoutstream.schemas.ArchivedHeader;
import org.turnoutstream.schemas.ArchivedRecord;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Converts between the Kafka records the jobs read ({@link RawRecord}) and the archive's file format. */
public final class ArchiveRecords {
    /** The election of a record whose value cannot be decoded. */
    public static final String UNKNOWN_ELECTION = "unknown";

    private ArchiveRecords() {}

    /** The record exactly as received, tagged with its election ({@link #UNKNOWN_ELECTION} when null). */
    public static ArchivedRecord fromRaw(RawRecord raw, String electionOrUnknown) {
        int headers = raw.headerKeys == null ? 0 : raw.headerKeys.length;
        List<ArchivedHeader> archivedHeaders = new ArrayList<>(headers);
        for (int i = 0; i < headers; i++) {
            byte[] value = raw.headerValues[i];
            archivedHeaders.add(new ArchivedHeader(raw.headerKeys[i], value == null ? null : ByteBuffer.wrap(value.clone())));
        }
        return ArchivedRecord.newBuilder()
                .setElection(electionOrUnknown == null || electionOrUnknown.isEmpty() ? UNKNOWN_ELECTION : electionOrUnknown)
                .setTopic(raw.topic)
                .setPartition(raw.partition)
                .setOffset(raw.offset)
                .setTimestamp(raw.timestamp)
                .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key.clone()))
                .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value.clone()))
                .setHeaders(archivedHeaders)
                .build();
    }

    /** Back to the record the workflows read: same coordinates, same bytes. */
    public static RawRecord toRaw(ArchivedRecord archived) {
        RawRecord raw = new RawRecord(archived.getTopic(), archived.getPartition(), archived.getOffset(), archived.getTimestamp(),
                bytes(archived.getKey()), bytes(archived.getValue()));
        List<ArchivedHeader> headers = archived.getHeaders();
        int n = headers == null ? 0 : headers.size();
        raw.headerKeys = new String[n];
        raw.headerValues = new byte[n][];
        for (int i = 0; i < n; i++) {
            raw.headerKeys[i] = headers.get(i).getKey();
            raw.headerValues[i] = bytes(headers.get(i).getValue());
        }
        return raw;
    }

    /** The remaining bytes of the buffer, without moving its position. */
    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) return null;
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
