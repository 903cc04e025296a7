package org.turnoutstream.batching;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PrefetchingProcessOperator} against a plain {@link ProcessOperator} with the same function: on random sequences
 * of records (with and without timestamps), watermarks, watermark statuses, processing time passing, checkpoints and the
 * end of the input, the main and side outputs (values, timestamps, watermarks, statuses) must be the same, in the same
 * order, and every record must have been read ahead exactly once.
 */
class PrefetchingProcessOperatorTest {
    static final OutputTag<String> ODD = new OutputTag<>("odd", Types.STRING);

    /** Emits each record with its timestamp and the watermark it saw; odd ones also to a side output. */
    static final class Echo extends ProcessFunction<Long, String> implements Prefetching<Long> {
        final List<Long> prefetched = new ArrayList<>();

        @Override
        public void processElement(Long value, Context ctx, Collector<String> out) {
            out.collect(value + "@" + ctx.timestamp() + " wm " + ctx.timerService().currentWatermark());
            if (value % 2 == 1) ctx.output(ODD, "odd " + value);
        }

        @Override
        public void prefetch(RecordBatch<Long> batch) {
            for (int i = 0; i < batch.size(); i++) prefetched.add(batch.value(i));
        }
    }

    @Test
    void batchesGiveWhatOneRecordAtATimeGives() throws Exception {
        for (int run = 0; run < 300; run++) {
            Random r = new Random(run);
            int capacity = 1 + r.nextInt(run % 3 == 0 ? RecordBatch.DEFAULT_CAPACITY : 6);
            Echo plainFunction = new Echo(), batchedFunction = new Echo();
            var plain = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(plainFunction));
            var batched = new OneInputStreamOperatorTestHarness<>(new PrefetchingProcessOperator<>(batchedFunction, capacity));
            plain.open();
            batched.open();
            List<Long> sent = new ArrayList<>();
            long watermark = 0, time = 0, processingTime = 0;
            int steps = r.nextInt(200);
            for (int step = 0; step < steps; step++) {
                int dice = r.nextInt(20);
                if (dice < 14) {
                    long value = r.nextInt(1000);
                    sent.add(value);
                    time += r.nextInt(50);
                    StreamRecord<Long> record = r.nextInt(10) == 0 ? new StreamRecord<>(value) : new StreamRecord<>(value, time);
                    plain.processElement(copyOf(record));
                    batched.processElement(copyOf(record));
                } else if (dice < 17) {
                    watermark += r.nextInt(100);
                    plain.processWatermark(new Watermark(watermark));
                    batched.processWatermark(new Watermark(watermark));
                } else if (dice == 17) {
                    processingTime += r.nextInt((int) RecordBatch.MAX_WAIT_MILLIS * 2);
                    batched.setProcessingTime(processingTime);
                } else if (dice == 18) {
                    WatermarkStatus status = r.nextBoolean() ? WatermarkStatus.IDLE : WatermarkStatus.ACTIVE;
                    plain.processWatermarkStatus(status);
                    batched.processWatermarkStatus(status);
                } else {
                    plain.prepareSnapshotPreBarrier(step);
                    plain.snapshot(step, step);
                    batched.prepareSnapshotPreBarrier(step);
                    batched.snapshot(step, step); // would fail with records left in the batch
                }
            }
            plain.close();
            batched.close(); // finish(): the last batch is processed
            assertEquals(outputs(plain), outputs(batched), "run " + run + ", batches of " + capacity);
            assertEquals(sent, batchedFunction.prefetched, "run " + run + ": every record read ahead once, in order");
            if (!sent.isEmpty()) assertTrue(!outputs(batched).isEmpty());
        }
    }

    @Test
    void aCheckpointWithRecordsLeftInTheBatchFails() throws Exception {
        var batched = new OneInputStreamOperatorTestHarness<>(new PrefetchingProcessOperator<>(new Echo(), 4));
        batched.open();
        batched.processElement(1L, 10);
        assertThrows(Exception.class, () -> batched.snapshot(1, 1), "taken without prepareSnapshotPreBarrier, as Flink never does");
        batched.prepareSnapshotPreBarrier(2);
        batched.snapshot(2, 2);
        batched.close();
    }

    @Test
    void aRecordWaitsAtMostTheBatchWait() throws Exception {
        var batched = new OneInputStreamOperatorTestHarness<>(new PrefetchingProcessOperator<>(new Echo(), 64));
        batched.open();
        batched.setProcessingTime(0);
        batched.processElement(4L, 10);
        assertEquals(0, batched.getOutput().size());
        batched.setProcessingTime(RecordBatch.MAX_WAIT_MILLIS);
        assertEquals(List.of("4@10 wm " + Long.MIN_VALUE + " ts 10"), outputs(batched));
        batched.close();
    }

    private static StreamRecord<Long> copyOf(StreamRecord<Long> record) {
        return record.hasTimestamp() ? new StreamRecord<>(record.getValue(), record.getTimestamp()) : new StreamRecord<>(record.getValue());
    }

    private static List<String> outputs(OneInputStreamOperatorTestHarness<Long, String> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            out.add(o instanceof StreamRecord<?> r ? r.getValue() + (r.hasTimestamp() ? " ts " + r.getTimestamp() : " no ts") : o.toString());
        }
        var odd = harness.getSideOutput(ODD);
        if (odd != null) for (StreamRecord<String> r : odd) out.add("side " + r.getValue() + (r.hasTimestamp() ? " ts " + r.getTimestamp() : ""));
        return out;
    }
}
