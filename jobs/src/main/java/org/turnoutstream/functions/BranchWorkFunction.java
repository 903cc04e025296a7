package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.turnoutstream.batching.Prefetching;
import org.turnoutstream.batching.RecordBatch;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.BranchAlert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.turnoutstream.functions.BranchWorkState.NONE;

/**
 * The per-branch work of the live job in one keyed function, on every signal keyed by branch: the count
 * ({@link BranchLatestCount}, on reports; deltas are the main output), the outage detector ({@link BranchOutageDetector},
 * on every signal; {@link #STATUS_CHANGES}) and the integrity checks ({@link IntegrityChecks}, on reports and CLOSED;
 * {@link #INTEGRITY_ALERTS}). Each part is the same code as the function of that name, with the same rules, counters
 * and outputs; only where they keep their state differs.
 *
 * <p>Why one function: the three kept a keyed state each and the two timed ones a timer each, so a report looked its
 * branch up three times in hash maps much larger than the CPU cache (most of the per-branch task's time), and a
 * checkpoint wrote the branch's key five times. Here the branch is ONE state entry ({@link BranchWorkState}) with ONE
 * event-time timer, at the earliest moment either timed part asked for (the integrity part's up to
 * {@link #INTEGRITY_LATENESS_MILLIS} later: the branch's next signal usually does it). The parts record what they want in their
 * state's {@code timerAt} (their timer calls go nowhere, {@link PartTimers}); after each record or timer this function
 * moves the key's real timer there (in STREAMING a timer of its operator's {@link TimerBuckets}, not Flink's heap:
 * {@link BranchWorkOperator}). When it fires, every part whose moment the watermark has passed runs, as its own
 * timer would have fired: a part's output does not depend on when the other asked to be woken.
 *
 * <p>Keyed by the branch's compact key ({@link BranchSignal#compactKey()}, a {@code long}): the state lookup of every
 * signal compares a Long, not the two ids as a string (a cache miss fewer over 60,000 branches), and a checkpoint writes
 * 8 bytes for the key of each entry and timer. The ids for what the parts emit come from the signal, or in a timer from
 * the entry (the catalog's branch, found by the key at the branch's first signal or first timer after a restore; an
 * entry whose key no branch has any more is dropped with a warning, metric {@code branches_unknown_after_restore}).
 *
 * <p>The detector's watermark survives a restore as in its own operator ({@link #operator()}).
 */
public class BranchWorkFunction extends KeyedProcessFunction<Long, BranchSignal, BranchDelta>
        implements WatermarkKeepingOperator.KeepsWatermark, Prefetching<BranchSignal> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BranchWorkFunction.class);

    public static final OutputTag<BranchStatusChange> STATUS_CHANGES =
            new OutputTag<>("branch-status-changes", TypeInformation.of(BranchStatusChange.class));
    public static final OutputTag<BranchAlert> INTEGRITY_ALERTS = new OutputTag<>("integrity-alerts", TypeInformation.of(BranchAlert.class));

    /**
     * How much later (event time) than its own moment the integrity part may be woken by the key's timer: a report is
     * judged when the watermark has passed the time it was heard, and the branch's next signal (heartbeats come every
     * few seconds) judges it before that signal, so a report rarely needs a timer of its own. As long as the default
     * heartbeat timeout ({@link HeartbeatTimeouts#DEFAULT}): a branch that is up already has the key's timer at or before
     * its heartbeat deadline, which is no later than this after its report was heard, so a report never moves the
     * key's timer (with 10 s, each report moved it earlier and back again: a delete on Flink's timer heap per report,
     * a tenth of the per-branch task in JFR). Alerts are the same, at most this much later.
     */
    public static final long INTEGRITY_LATENESS_MILLIS = HeartbeatTimeouts.DEFAULT.toMillis();

    private final BranchLatestCount count;
    private final BranchOutageDetector outages;
    private final IntegrityChecks integrity;
    /** Where a timer finds the ids of its branch (a signal brings them): keyed by {@link BranchSignal#compactKey()}. */
    private final ElectionCatalog catalog;

    private transient ValueState<BranchWorkState> cells;
    /** The entry of the key being processed; the parts' state views read and write its fields. */
    private transient BranchWorkState current;
    private transient PartTimers timers;
    private transient SideOutput<BranchStatusChange> changes;
    private transient SideOutput<BranchAlert> alerts;
    private transient Counter forgottenBranches;
    /** The ids of the signal or timer being processed, for what the parts emit. */
    private transient BranchIds.Current currentIds;
    /** Where the key's timer goes; null: Flink's timer service. */
    private transient KeyTimers keyTimers;
    /** Where the entries are in STREAMING ({@link BranchWorkOperator}); null: Flink's keyed state. */
    private transient BranchEntries table;
    /** With {@link #table}: where Flink's keyed state keeps them for checkpoints. */
    private transient ValueState<byte[]> serialized;

    public BranchWorkFunction(BranchLatestCount count, BranchOutageDetector outages, IntegrityChecks integrity, ElectionCatalog catalog) {
        this.catalog = catalog;
        this.count = count;
        this.outages = outages;
        this.integrity = integrity;
    }

    /**
     * The operator to run it in: the detector's watermark must survive a restore ({@link BranchOutageDetector#operator()}),
     * and in STREAMING the keys' timers are its {@link TimerBuckets} ({@link BranchWorkOperator}).
     */
    public BranchWorkOperator operator() {
        return operator(RecordBatch.DEFAULT_CAPACITY);
    }

    /** {@link #operator()} processing signals in batches of up to {@code batchSize} (1: each as it comes; tests). */
    BranchWorkOperator operator(int batchSize) {
        return new BranchWorkOperator(this, batchSize);
    }

    /** Where the key's one timer is set when not in Flink's timer service ({@link BranchWorkOperator}). */
    @FunctionalInterface
    public interface KeyTimers {
        void set(long key, long timestamp);
    }

    /**
     * From now on the key's timer is set in {@code timers}, never deleted (a timer that fires and is not the entry's
     * {@link BranchWorkState#timerAt} is ignored); without this call, in Flink's timer service.
     */
    void keepTimersIn(KeyTimers timers) {
        this.keyTimers = timers;
    }

    /**
     * From now on the entries are kept in {@code table}, not in Flink's keyed state: there each is kept serialized, as
     * of the last {@link #writeBack} (each checkpoint). The restored entries are taken into the table (also those of a
     * checkpoint that kept them as objects, state {@value #STATE_NAME}), and their timers set in {@code timers}.
     */
    void keepEntriesIn(BranchEntries table, KeyedStateBackend<Long> backend, KeyTimers timers) throws Exception {
        DataInputDeserializer in = new DataInputDeserializer();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, serializedDescriptor(),
                (Long key, ValueState<byte[]> state) -> {
                    byte[] bytes = state.value();
                    if (bytes == null) return;
                    in.setBuffer(bytes);
                    BranchWorkState cell = BranchWorkStateSerializer.INSTANCE.deserialize(in);
                    table.restore(key, cell);
                    if (cell.timerAt != NONE) timers.set(key, cell.timerAt);
                });
        java.util.List<Long> asObjects = new java.util.ArrayList<>();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, stateDescriptor(),
                (Long key, ValueState<BranchWorkState> state) -> {
                    BranchWorkState cell = state.value();
                    if (cell == null) return;
                    table.put(key, BranchWorkStateSerializer.INSTANCE.copy(cell)); // written back serialized at the next checkpoint
                    if (cell.timerAt != NONE) timers.set(key, cell.timerAt);
                    asObjects.add(key);
                });
        for (long key : asObjects) {
            backend.setCurrentKey(key);
            cells.clear();
        }
        this.table = table;
        this.serialized = getRuntimeContext().getState(serializedDescriptor());
    }

    /**
     * Writes the entries that changed since the last call to Flink's keyed state, serialized: before each checkpoint is
     * taken. Serialized, not as objects: a copy of each entry in Flink's state map would double the state's heap (Flink
     * snapshots its map asynchronously, so it cannot hold the table's own entries, which change meanwhile).
     */
    void writeBack(KeyContext keys) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        table.writeBack((key, entry) -> {
            keys.setCurrentKey(key);
            if (entry == null) {
                serialized.clear();
                return;
            }
            out.clear();
            BranchWorkStateSerializer.INSTANCE.serialize(entry, out);
            serialized.update(out.getCopyOfBuffer());
        });
    }

    /** The operator whose current key {@link #writeBack} sets. */
    @FunctionalInterface
    interface KeyContext {
        void setCurrentKey(long key);
    }

    /** Visits every entry's timer (the current one: not those moved since). */
    void forEachTimer(KeyedStateBackend<Long> backend, KeyTimers visitor) throws Exception {
        if (table != null) {
            table.forEach((cell, key) -> {
                if (cell.timerAt != NONE) visitor.set(key, cell.timerAt);
            });
            return;
        }
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, stateDescriptor(),
                (Long key, ValueState<BranchWorkState> state) -> {
                    BranchWorkState cell = state.value();
                    if (cell != null && cell.timerAt != NONE) visitor.set(key, cell.timerAt);
                });
    }

    /** How many branches have an entry. */
    int entries(KeyedStateBackend<Long> backend) {
        if (table != null) return table.size();
        try (java.util.stream.Stream<Long> keys = backend.getKeys(STATE_NAME, VoidNamespace.INSTANCE)) {
            return (int) keys.count();
        }
    }

    /** {@link #readAhead}'s keys, kinds (null: a timer) and entries, a signal or timer each. */
    private transient long[] aheadKeys;
    private transient BranchSignal.Kind[] aheadKinds;
    private transient BranchWorkState[] found;
    /** The sum of what {@link #prefetch} read: never used, it keeps the reads from being optimised away. */
    private transient long touched;

    /**
     * Reads the entries of a batch of signals about to be processed, in two passes over the batch: first each signal's
     * entry in the table, then the parts of it that processing the signal reads first ({@link BranchWorkState#touch}).
     * Nothing is changed. The reads of one pass do not depend on each other, so the CPU has the cache misses of many
     * branches in flight at once, and processing the batch finds its entries in the cache; one signal at a time, each
     * waited for its two or three misses in turn (memory latency: most of this task's time in JFR, the entries of
     * 60,000 branches being far larger than the cache). Only in STREAMING (the table).
     */
    @Override
    public void prefetch(RecordBatch<BranchSignal> batch) {
        if (table == null) return;
        int n = scratch(batch.size());
        for (int i = 0; i < n; i++) {
            BranchSignal signal = batch.value(i);
            aheadKeys[i] = signal.compactKey();
            aheadKinds[i] = signal.kind;
        }
        readAhead(n);
    }

    /** {@link #prefetch} for the keys of timers about to fire ({@link TimerBuckets.KeysAhead}): their entries, then their parts. */
    void prefetchTimers(long[] keys, int from, int to) {
        if (table == null) return;
        int n = scratch(to - from);
        System.arraycopy(keys, from, aheadKeys, 0, n);
        java.util.Arrays.fill(aheadKinds, 0, n, null);
        readAhead(n);
    }

    /** Room for {@code n} in {@link #readAhead}'s arrays; returns n. */
    private int scratch(int n) {
        if (found == null || found.length < n) {
            aheadKeys = new long[n];
            aheadKinds = new BranchSignal.Kind[n];
            found = new BranchWorkState[n];
        }
        return n;
    }

    /** The two passes of {@link #prefetch}: the entries of {@link #aheadKeys}, then their parts ({@link BranchWorkState#touch}). */
    private void readAhead(int n) {
        for (int i = 0; i < n; i++) found[i] = table.get(aheadKeys[i]);
        long sum = 0;
        for (int i = 0; i < n; i++) {
            BranchWorkState entry = found[i];
            if (entry == null) continue;
            sum += entry.touch(aheadKinds[i]);
            found[i] = null;
        }
        touched += sum;
    }

    private BranchWorkState entry(long key) throws java.io.IOException {
        return table != null ? table.get(key) : cells.value();
    }

    private void keep(long key, BranchWorkState cell) throws java.io.IOException {
        if (table != null) table.put(key, cell);
        else cells.update(cell);
    }

    private void drop(long key) {
        if (table != null) table.remove(key);
        else cells.clear();
    }

    /** The entries as objects: BATCH, and checkpoints of versions that kept them so in STREAMING. */
    static final String STATE_NAME = "branch-work";
    /** The entries in STREAMING, serialized ({@link BranchWorkStateSerializer}), as of the last checkpoint. */
    static final String SERIALIZED_STATE_NAME = "branch-work-serialized";

    private static ValueStateDescriptor<BranchWorkState> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, TypeInformation.of(BranchWorkState.class));
    }

    private static ValueStateDescriptor<byte[]> serializedDescriptor() {
        return new ValueStateDescriptor<>(SERIALIZED_STATE_NAME, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    @Override
    public void restoreWatermark(long watermark) {
        outages.restoreWatermark(watermark);
    }

    @Override
    public void open(OpenContext openContext) {
        cells = getRuntimeContext().getState(stateDescriptor());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        count.bind(new Part<>() {
            @Override public BranchHistory value() { return current.history; }
            @Override public void update(BranchHistory value) { current.history = value; }
        }, metrics);
        outages.bind(new Part<>() {
            @Override public BranchOutageState value() { return current.outage; }
            @Override public void update(BranchOutageState value) { current.outage = value; }
        }, metrics);
        integrity.bind(new Part<>() {
            @Override public IntegrityState value() { return current.integrity; }
            @Override public void update(IntegrityState value) { current.integrity = value; }
        }, metrics);
        forgottenBranches = metrics.counter("branches_unknown_after_restore");
        timers = new PartTimers();
        currentIds = new BranchIds.Current();
        changes = new SideOutput<>(STATUS_CHANGES);
        alerts = new SideOutput<>(INTEGRITY_ALERTS);
    }

    @Override
    public void processElement(BranchSignal signal, Context ctx, Collector<BranchDelta> out) throws Exception {
        BranchWorkState cell = entry(ctx.getCurrentKey());
        current = cell == null ? new BranchWorkState() : cell;
        // Found once per branch (a timer needs it); the signal has the ids for what this call emits.
        if (current.branch == null) current.branch = catalog.branchWithKey(ctx.getCurrentKey()).orElse(null);
        TimerService real = bindTo(ctx);
        BranchIds ids = currentIds.of(signal); // read only to emit
        long watermark = real.currentWatermark();
        if (signal.kind == BranchSignal.Kind.REPORT) count.count(signal.toReport(), watermark, out);
        outages.onSignal(signal, timers, ids, changes);
        // Reports the watermark has passed are judged now, before this signal, as their own timer would have judged
        // them (the key's timer waits up to INTEGRITY_LATENESS longer for a signal of the branch to do it).
        if (integrityDue(current, watermark)) {
            integrity.onTimer(current.integrity.timerAt, timers, ids, alerts);
            current.integrityTimerChanged();
        }
        if (IntegrityChecks.judged(signal)) {
            integrity.onSignal(signal, timers, alerts);
            current.integrityTimerChanged();
        }
        settle(real, ctx.getCurrentKey());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BranchDelta> out) throws Exception {
        BranchWorkState cell = entry(ctx.getCurrentKey());
        // A timer moved since it was set (left in the buckets, BranchWorkOperator) is not the entry's: nothing is due.
        if (cell == null || cell.timerAt != timestamp) return;
        current = cell;
        cell.timerAt = NONE;
        TimerService real = bindTo(ctx);
        if (cell.branch == null) { // restored since its last signal
            long key = ctx.getCurrentKey();
            cell.branch = catalog.branchWithKey(key).orElse(null);
            if (cell.branch == null) {
                forget(cell, real, key);
                return;
            }
        }
        BranchIds ids = currentIds.of(cell.branch);
        // Every part whose moment has come, as if its own timer fired (the watermark may have passed both at once).
        long watermark = real.currentWatermark();
        if (outageDue(cell, watermark)) outages.onTimer(cell.outage.timerAt, timers, ids, changes);
        if (integrityDue(cell, watermark)) {
            integrity.onTimer(cell.integrity.timerAt, timers, ids, alerts);
            cell.integrityTimerChanged();
        }
        settle(real, ctx.getCurrentKey());
    }

    /**
     * Drops a restored entry whose branch the catalog does not know (every key came from a signal of a known branch, so
     * the reference data changed since the checkpoint): its ids are lost with the key, nothing can be emitted for it,
     * and failing would fail the job again at every restart.
     */
    private void forget(BranchWorkState cell, TimerService real, long key) {
        LOG.warn("dropping the restored state of branch key {}: no branch of the election catalog has it (was a branch removed "
                + "from the reference data since the checkpoint?)", key);
        forgottenBranches.inc();
        if (cell.timerAt != NONE && keyTimers == null) real.deleteEventTimeTimer(cell.timerAt);
        drop(key);
        current = null;
    }

    /** Points the parts' timer service and outputs at this callback's context; returns the real timer service. */
    private TimerService bindTo(Context ctx) {
        timers.real = ctx.timerService();
        changes.ctx = ctx;
        alerts.ctx = ctx;
        return timers.real;
    }

    private static boolean outageDue(BranchWorkState cell, long watermark) {
        return cell.outage != null && cell.outage.timerAt != BranchOutageState.NONE && cell.outage.timerAt <= watermark;
    }

    private static boolean integrityDue(BranchWorkState cell, long watermark) {
        return cell.integrityTimerAt != NONE && cell.integrityTimerAt <= watermark; // the entry's copy: no read of the trail
    }

    /** Keeps the entry (or drops it when no part holds anything) and the key's timer at the earliest one a part wants. */
    private void settle(TimerService real, long key) throws Exception {
        BranchWorkState cell = current;
        long wanted = cell.isEmpty() ? NONE : cell.wantedTimer(INTEGRITY_LATENESS_MILLIS);
        if (wanted != cell.timerAt) {
            if (keyTimers != null) {
                if (wanted != NONE) keyTimers.set(key, wanted);
            } else {
                if (cell.timerAt != NONE) real.deleteEventTimeTimer(cell.timerAt);
                if (wanted != NONE) real.registerEventTimeTimer(wanted);
            }
            cell.timerAt = wanted;
        }
        if (cell.isEmpty()) drop(key);
        else keep(key, cell);
        current = null;
    }

    /** A part's keyed state: a field of the current entry. */
    private abstract static class Part<S> implements ValueState<S> {
        @Override public abstract S value();
        @Override public abstract void update(S value);
        @Override public void clear() { update(null); }
    }

    /**
     * The timer service the parts see: the real watermark, and timer calls that go nowhere (each part keeps the moment
     * it wants in its state; {@link #settle} registers the earliest).
     */
    private static final class PartTimers implements TimerService {
        TimerService real;

        @Override public long currentProcessingTime() { return real.currentProcessingTime(); }
        @Override public long currentWatermark() { return real.currentWatermark(); }
        @Override public void registerEventTimeTimer(long time) {}
        @Override public void deleteEventTimeTimer(long time) {}
        @Override public void registerProcessingTimeTimer(long time) { throw new UnsupportedOperationException("no processing-time timers here"); }
        @Override public void deleteProcessingTimeTimer(long time) { throw new UnsupportedOperationException("no processing-time timers here"); }
    }

    /** A part's output: a side output of this function. */
    private static final class SideOutput<T> implements Collector<T> {
        private final OutputTag<T> tag;
        Context ctx;

        SideOutput(OutputTag<T> tag) {
            this.tag = tag;
        }

        @Override public void collect(T record) { ctx.output(tag, record); }
        @Override public void close() {}
    }
}
