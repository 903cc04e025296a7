package org.turnoutstream.archive;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.MapFunction;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.schemas.ArchivedRecord;

import java.util.Map;

/**
 * Raw record to archive record, tagged with the election read from its value (the {@code election}
 * field of the topic's schema). A value that cannot be decoded, or a topic without a decoder, is
 * archived all the same under {@value ArchiveRecords#UNKNOWN_ELECTION}; an unreachable registry fails
 * the task (as in the live job), so nothing is archived under the wrong election.
 */
public final class ToArchivedRecord implements MapFunction<RawRecord, ArchivedRecord> {
    private static final long serialVersionUID = 1L;
    private final Map<String, ConfluentAvroDecoder<? extends SpecificRecord>> decodersByTopic;

    public ToArchivedRecord(Map<String, ConfluentAvroDecoder<? extends SpecificRecord>> decodersByTopic) {
        this.decodersByTopic = Map.copyOf(decodersByTopic);
    }

    @Override
    public ArchivedRecord map(RawRecord raw) {
        return ArchiveRecords.fromRaw(raw, electionOf(raw));
    }

    /** The election of the record's value, or {@value ArchiveRecords#UNKNOWN_ELECTION}. */
    public String electionOf(RawRecord raw) {
        ConfluentAvroDecoder<? extends SpecificRecord> decoder = decodersByTopic.get(raw.topic);
        if (decoder == null) return ArchiveRecords.UNKNOWN_ELECTION;
        SpecificRecord value;
        try {
            value = decoder.decode(raw.value);
        } catch (DecodeException e) {
            return ArchiveRecords.UNKNOWN_ELECTION;
        }
        Schema.Field field = value.getSchema().getField("election");
        Object election = field == null ? null : value.get(field.pos());
        return election == null || election.toString().isEmpty() ? ArchiveRecords.UNKNOWN_ELECTION : election.toString();
    }
}
