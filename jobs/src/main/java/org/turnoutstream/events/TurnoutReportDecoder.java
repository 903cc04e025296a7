package org.turnoutstream.events;

import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.batching.Prefetching;
import org.turnoutstream.batching.RecordBatch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.schemas.TurnoutReport;

import java.util.Optional;

/**
 * Decodes Confluent-framed Avro turnout reports and validates them. Good reports go on as
 * {@link BranchReport}s; everything else goes to the dead-letter side output with its reason.
 * An unreachable registry is not a bad record: it fails the task, which restarts from the checkpoint.
 */
public class TurnoutReportDecoder extends ProcessFunction<RawRecord, BranchReport> implements Prefetching<RawRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TurnoutReportDecoder.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    /** The reports refused as more ballots than their branch can take (also dead letters): an alert each. */
    public static final OutputTag<BranchReport> ABOVE_CAPACITY = new OutputTag<>("above-capacity", TypeInformation.of(BranchReport.class));

    private final ConfluentAvroDecoder<TurnoutReport> decoder;
    private final ReportValidator validator;
    private transient DeadLetterReporter deadLetters;
    private transient KnownBranchRecords known;

    public TurnoutReportDecoder(ConfluentAvroDecoder<TurnoutReport> decoder, ReportValidator validator) {
        this.decoder = decoder;
        this.validator = validator;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = new DeadLetterReporter(getRuntimeContext().getMetricGroup(), LOG, "record");
        known = KnownBranchRecords.of(validator);
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
    public void processElement(RawRecord record, Context ctx, Collector<BranchReport> out) {
        // Most records: the reader's schema, a known branch, every check passed (the same report, made cheaper).
        if (decoder.writtenWithReaderSchema(record.value)) {
            BranchReport known = this.known.report(record.value, record.timestamp);
            if (known != null) {
                out.collect(known);
                return;
            }
        }
        TurnoutReport report;
        try {
            report = decoder.decode(record.value);
        } catch (DecodeException e) {
            reject(ctx, new DeadLetter(record, RejectionReason.valueOf(e.reason().name()), e.getMessage()));
            return;
        }
        Optional<ReportValidator.Rejection> rejection = validator.check(report);
        long eventTime = report.getEventTime().toEpochMilli();
        BranchReport valid = rejection.isPresent() && rejection.get().reason() != RejectionReason.COUNT_ABOVE_CAPACITY ? null
                : new BranchReport(report.getElection(), report.getBranchId(), report.getConstituencyId(), report.getSequence(),
                        report.getBallotsCast(), eventTime).receivedAt(record.heardAt(eventTime))
                        .clockAhead(validator.aheadOfHeard(eventTime, record.timestamp));
        if (rejection.isPresent()) {
            reject(ctx, new DeadLetter(record, rejection.get().reason(), rejection.get().detail()));
            if (valid != null) ctx.output(ABOVE_CAPACITY, valid);
            return;
        }
        out.collect(valid);
    }

    private void reject(Context ctx, DeadLetter letter) {
        deadLetters.report(letter);
        ctx.output(DEAD_LETTERS, letter);
    }
}
