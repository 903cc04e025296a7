package org.turnoutstream.events;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Keeps Kafka records as they are: decoding is the workflow's job, so bad bytes survive to the DLQ. */
public class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        RawRecord raw = new RawRecord(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(), record.value());
        Header[] headers = record.headers().toArray();
        if (headers.length > 0) {
            raw.headerKeys = new String[headers.length];
            raw.headerValues = new byte[headers.length][];
            for (int i = 0; i < headers.length; i++) {
                raw.headerKeys[i] = headers[i].key();
                raw.headerValues[i] = headers[i].value();
            }
        }
        out.collect(raw);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
