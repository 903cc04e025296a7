package org.turnoutstream.events;

import org.turnoutstream.batching.Prefetching;
import org.turnoutstream.batching.RecordBatch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.schemas.ConnectivityEvent;

import java.util.Optional;

/**
 * Decodes Confluent-framed Avro connectivity events ({@code branch.connectivity}) and validates them, like
 * {@link TurnoutReportDecoder}: good events go on as {@link BranchSignal}s, everything else to the
 * dead-letter side output (the same DLQ as bad turnout records) with its reason. An unreachable registry
 * fails the task.
 */
public class ConnectivityEventDecoder extends ProcessFunction<RawRecord, BranchSignal> implements Prefetching<RawRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConnectivityEventDecoder.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = TurnoutReportDecoder.DEAD_LETTERS;

    private final ConfluentAvroDecoder<ConnectivityEvent> decoder;
    private final ConnectivityValidator validator;
    private transient DeadLetterReporter deadLetters;
    private transient KnownBranchRecords known;

    public ConnectivityEventDecoder(ConfluentAvroDecoder<ConnectivityEvent> decoder, ConnectivityValidator validator) {
        this.decoder = decoder;
        this.validator = validator;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = new DeadLetterReporter(getRuntimeContext().getMetricGroup(), LOG, "connectivity record");
        known = KnownBranchRecords.of(validator.checks());
    }

    @Override
    public void close() throws Exception {
        if (deadLetters != null) deadLetters.close(); // the summary still owed
        super.close();
    }

    /** Run in a {@link org.turnoutstream.batching.PrefetchingProcessOperator}: reads ahead the branches of a batch. */
    @Override
    public void prefetch(RecordBatch<RawRecord> batch) {
        known.prefetch(batch, decoder::writtenWithReaderSchema);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<BranchSignal> out) {
        // Most records: the reader's schema, a known branch, every check passed (the same signal, made cheaper).
        if (decoder.writtenWithReaderSchema(record.value)) {
            BranchSignal signal = known.connectivitySignal(record.value, record.timestamp);
            if (signal != null) {
                out.collect(signal);
                return;
            }
        }
        ConnectivityEvent event;
        try {
            event = decoder.decode(record.value);
        } catch (DecodeException e) {
            reject(ctx, new DeadLetter(record, RejectionReason.valueOf(e.reason().name()), e.getMessage()));
            return;
        }
        Optional<ReportValidator.Rejection> rejection = validator.check(event);
        if (rejection.isPresent()) {
            reject(ctx, new DeadLetter(record, rejection.get().reason(), rejection.get().detail()));
            return;
        }
        long eventTime = event.getEventTime().toEpochMilli();
        out.collect(BranchSignal.of(event, record.heardAt(eventTime)).clockAhead(validator.checks().aheadOfHeard(eventTime, record.timestamp)));
    }

    private void reject(Context ctx, DeadLetter letter) {
        deadLetters.report(letter);
        ctx.output(DEAD_LETTERS, letter);
    }
}
