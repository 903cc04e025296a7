package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignalSerializer;
import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.functions.BranchOutageDetectorDifferentialTest.Config;
import org.turnoutstream.functions.BranchOutageDetectorDifferentialTest.Run;
import org.turnoutstream.functions.OutageReferenceModel.Arrive;
import org.turnoutstream.functions.OutageReferenceModel.Step;
import org.turnoutstream.functions.OutageReferenceModel.Watermark;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.testing.ElectionDayFixtures;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.functions.BranchOutageDetectorDifferentialTest.generate;
import static org.turnoutstream.functions.BranchOutageDetectorDifferentialTest.property;

/**
 * Differential: {@link BranchWorkFunction} (the count, the outage detector and the integrity checks on one state entry
 * and one timer per branch) against the three functions as separate keyed operators, each with its own state and timers,
 * fed as the separate topology feeds them (every signal to the detector, reports and CLOSED to the integrity checks,
 * reports to the count). Random runs of {@link BranchOutageDetectorDifferentialTest#generate} (outages, silences, same-
 * millisecond signals, late ones, closings, the end of the election), with reports made to regress, jump and repeat so
 * the integrity checks raise alerts and the count corrects itself. Each branch's deltas, status changes and alerts must
 * be the same, in the same order; also across restores from a snapshot, on two subtasks, and in BATCH.
 */
class BranchWorkFunctionTest {
    static final TurnoutGrid GRID = new TurnoutGrid(Duration.ofSeconds(10), Duration.ofMinutes(2));
    static final IntegrityRules RULES = new IntegrityRules(30, 5, Duration.ofMinutes(1), Duration.ofMinutes(2));
    static final int MAX_PARALLELISM = 128;

    @Test
    void streamingGivesWhatTheSeparateFunctionsGive() {
        property("branch work, streaming", 300, r -> withIntegrityFaults(r, generate(r, false)), run -> mismatch(run, 1));
    }

    @Test
    void restoredFromASnapshotMidStreamItGivesWhatTheSeparateFunctionsGive() {
        property("branch work, restore", 200, r -> withIntegrityFaults(r, generate(r, true)), run -> mismatch(run, 1));
    }

    @Test
    void onTwoSubtasksItGivesWhatTheSeparateFunctionsGive() {
        property("branch work, parallelism 2", 150, r -> withIntegrityFaults(r, generate(r, r.nextInt(4) == 0)), run -> mismatch(run, 2));
    }

    @Test
    void inBatchModeItGivesWhatTheSeparateFunctionsGive() {
        property("branch work, batch", 200, r -> withIntegrityFaults(r, generate(r, false)), BranchWorkFunctionTest::batchMismatch);
    }

    /**
     * In STREAMING the operator processes signals in batches ({@link BranchWorkOperator#processElement}), flushed when
     * full, by a watermark, before a checkpoint barrier and by processing time: its outputs (deltas with their
     * timestamps, watermarks, status changes, alerts) must be exactly those of one signal at a time, in the same order,
     * with batches of many sizes, processing time moving between signals, restores mid-stream and two subtasks.
     */
    @Test
    void batchesGiveWhatOneSignalAtATimeGives() {
        property("branch work, batches", 200, r -> withIntegrityFaults(r, generate(r, r.nextInt(3) == 0)), BranchWorkFunctionTest::batchingMismatch);
    }

    static String batchingMismatch(Run run) throws Exception {
        int size = run.steps().size();
        int batchSize = size % 4 == 0 ? org.turnoutstream.batching.RecordBatch.DEFAULT_CAPACITY : 2 + size % 9; // the job's, or small ones that fill often
        int parallelism = 1 + size % 2;
        int flushEvery = 3 + size % 11; // processing time moves past the batch wait every so many signals
        List<KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta>> single = new ArrayList<>();
        List<KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta>> batched = new ArrayList<>();
        List<List<String>> singleOut = new ArrayList<>();
        List<List<String>> batchedOut = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            single.add(batchingHarness(run, 1, parallelism, i, null));
            batched.add(batchingHarness(run, batchSize, parallelism, i, null));
            singleOut.add(new ArrayList<>());
            batchedOut.add(new ArrayList<>());
        }
        try {
            long checkpoint = 0;
            long processingTime = 0;
            int arrived = 0;
            long last = Long.MIN_VALUE;
            List<Step> steps = new ArrayList<>(run.steps());
            for (Step step : run.steps()) {
                if (step instanceof Arrive a) last = Math.max(last, a.signal().heardAt);
                if (step instanceof Watermark w) last = Math.max(last, w.time());
            }
            if (last < Long.MAX_VALUE - BranchWorkFunction.INTEGRITY_LATENESS_MILLIS) {
                steps.add(new Watermark(last + BranchWorkFunction.INTEGRITY_LATENESS_MILLIS));
            }
            for (Step step : steps) {
                if (step instanceof Arrive a) {
                    BranchSignal s = a.signal();
                    int f = parallelism == 1 ? 0 : KeyGroupRangeAssignment.assignKeyToParallelOperator(s.compactKey(), MAX_PARALLELISM, parallelism);
                    single.get(f).processElement(copy(s), s.heardAt);
                    batched.get(f).processElement(copy(s), s.heardAt);
                    if (++arrived % flushEvery == 0) {
                        processingTime += org.turnoutstream.batching.RecordBatch.MAX_WAIT_MILLIS;
                        for (var h : batched) h.setProcessingTime(processingTime);
                    }
                } else if (step instanceof Watermark w) {
                    for (int i = 0; i < parallelism; i++) {
                        single.get(i).processWatermark(w.time());
                        batched.get(i).processWatermark(w.time());
                    }
                } else {
                    checkpoint++;
                    for (int i = 0; i < parallelism; i++) {
                        single.set(i, restoredBatching(run, single.get(i), 1, parallelism, i, checkpoint, singleOut.get(i)));
                        batched.set(i, restoredBatching(run, batched.get(i), batchSize, parallelism, i, checkpoint, batchedOut.get(i)));
                    }
                }
            }
            for (int i = 0; i < parallelism; i++) {
                drainOutputs(single.get(i), singleOut.get(i));
                drainOutputs(batched.get(i), batchedOut.get(i));
                if (!singleOut.get(i).equals(batchedOut.get(i))) {
                    return "batches of " + batchSize + ", subtask " + i + " of " + parallelism + ":\n  one at a time: " + singleOut.get(i)
                            + "\n  batched:       " + batchedOut.get(i) + "\n";
                }
                if (singleOut.get(i).isEmpty() && arrived > 0 && parallelism == 1) return "no output at all\n";
            }
            return null;
        } finally {
            for (var h : single) h.close();
            for (var h : batched) h.close();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> batchingHarness(
            Run run, int batchSize, int parallelism, int subtask, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(fusedFunction(run.config()).operator(batchSize),
                BranchSignal::compactKey, Types.LONG, parallelism == 1 ? 1 : MAX_PARALLELISM, parallelism, subtask));
        harness.setup();
        if (restoreFrom != null) harness.initializeState(restoreFrom);
        harness.open();
        return harness;
    }

    /** As Flink takes a checkpoint: the operator's pre-barrier work, then its snapshot; then a new operator restored from it. */
    static KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> restoredBatching(
            Run run, KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> old, int batchSize, int parallelism,
            int subtask, long checkpoint, List<String> out) throws Exception {
        old.prepareSnapshotPreBarrier(checkpoint);
        OperatorSubtaskState snapshot = old.snapshot(checkpoint, checkpoint);
        drainOutputs(old, out);
        old.close();
        return batchingHarness(run, batchSize, parallelism, subtask, snapshot);
    }

    /** Everything the harness emitted so far, in order: records with their timestamps, watermarks, then the side outputs. */
    static void drainOutputs(KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> harness, List<String> out) {
        for (Object o : harness.getOutput()) out.add(o instanceof StreamRecord<?> r ? r.getValue() + "@" + r.getTimestamp() : o.toString());
        for (BranchStatusChange c : values(harness.getSideOutput(BranchWorkFunction.STATUS_CHANGES))) out.add("change " + c);
        for (BranchAlert a : values(harness.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS))) out.add("alert " + a);
        harness.getOutput().clear();
        if (harness.getSideOutput(BranchWorkFunction.STATUS_CHANGES) != null) harness.getSideOutput(BranchWorkFunction.STATUS_CHANGES).clear();
        if (harness.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS) != null) harness.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS).clear();
    }

    /** What the fusion is for: one state entry per branch, and never more timers than the separate functions keep. */
    @Test
    void aBranchIsOneStateEntryWithAtMostOneTimer() throws Exception {
        Run run = withIntegrityFaults(new Random(7), generate(new Random(7), false));
        List<Step> open = new ArrayList<>();
        for (Step step : run.steps()) if (step instanceof Arrive || (step instanceof Watermark w && w.time() < lastHeard(run) - 60_000)) open.add(step);
        try (Sides sides = new Sides(run.config(), 1)) {
            for (Step step : open) sides.play(step);
            assertNull(compare(sides.separate, sides.fused));
            int branches = (int) open.stream().filter(s -> s instanceof Arrive).map(s -> ((Arrive) s).signal().branchKey()).distinct().count();
            var fused = sides.fusedHarnesses.get(0);
            assertTrue(entries(fused) > 0 && entries(fused) <= branches, entries(fused) + " entries for " + branches + " branches");
            int separateEntries = sides.detectors.get(0).numKeyedStateEntries() + sides.integrity.get(0).numKeyedStateEntries()
                    + sides.counts.get(0).numKeyedStateEntries();
            assertTrue(separateEntries > entries(fused), "the separate functions keep " + separateEntries);
            int separateTimers = sides.detectors.get(0).numEventTimeTimers() + sides.integrity.get(0).numEventTimeTimers();
            assertTrue(timers(fused) > 0 && timers(fused) <= Math.min(branches, separateTimers),
                    timers(fused) + " timers for " + branches + " branches (separate: " + separateTimers + ")");
        }
    }

    /**
     * A restored entry whose branch the reference data no longer has (a branch removed between a checkpoint and the
     * restart): its timer drops it with a warning instead of failing the job at every restart. With the branch still
     * in the reference data the same timer reports it down, so the timer did fire.
     */
    @Test
    void aRestoredBranchTheCatalogNoLongerHasIsDroppedWhenItsTimerFires() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = fusedHarness(OutageFixtures.catalog())) {
            before.open();
            before.processElement(OutageFixtures.opened(17, OutageFixtures.at(0, 0)), OutageFixtures.at(0, 0));
            before.processElement(OutageFixtures.heartbeat(17, OutageFixtures.at(0, 10)), OutageFixtures.at(0, 10));
            before.processWatermark(OutageFixtures.at(0, 20));
            snapshot = before.snapshot(1, 1);
        }
        var withoutIt = org.turnoutstream.reference.ElectionCatalog.of(org.turnoutstream.reference.Election.builder(OutageFixtures.ELECTION)
                .constituency(OutageFixtures.KARAJ, "Karaj", "Alborz", 1_000).branch(ElectionDayFixtures.karajBranch(18), OutageFixtures.KARAJ, "Karaj 18")
                .build());
        for (var catalog : List.of(OutageFixtures.catalog(), withoutIt)) {
            try (var after = fusedHarness(catalog)) {
                after.setup();
                after.initializeState(snapshot);
                after.open();
                assertEquals(1, timers(after));
                after.processWatermark(OutageFixtures.at(5, 0)); // past the heartbeat deadline (0:10 + 60 s)
                List<BranchStatusChange> changes = values(after.getSideOutput(BranchWorkFunction.STATUS_CHANGES));
                if (catalog == withoutIt) {
                    assertEquals(List.of(), changes);
                    assertEquals(0, entries(after));
                    assertEquals(0, timers(after));
                } else {
                    assertEquals(List.of(BranchStatusChange.Transition.DOWN), changes.stream().map(c -> c.transition).toList());
                    assertEquals(ElectionDayFixtures.karajBranch(17), changes.get(0).branchId);
                }
            }
        }
    }

    /**
     * A checkpoint of the versions that kept each branch's entry as an object in Flink's keyed state (state
     * {@value BranchWorkFunction#STATE_NAME}) restores: the entry is taken into the operator's table with its timer (which
     * reports the branch down at its heartbeat deadline), and the next checkpoint keeps it serialized only.
     */
    @Test
    void aCheckpointThatKeptTheEntriesAsObjectsRestores() throws Exception {
        OperatorSubtaskState legacy;
        try (var before = NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EntriesAsObjects()), BranchSignal::compactKey, Types.LONG))) {
            before.open();
            before.processElement(OutageFixtures.heartbeat(17, OutageFixtures.at(0, 10)), OutageFixtures.at(0, 10));
            legacy = before.snapshot(1, 1);
        }
        OperatorSubtaskState next;
        try (var after = fusedHarness(OutageFixtures.catalog())) {
            after.setup();
            after.initializeState(legacy);
            after.open();
            assertEquals(1, entries(after));
            assertEquals(1, timers(after));
            next = after.snapshot(2, 2);
            after.processWatermark(OutageFixtures.at(5, 0)); // past the heartbeat deadline (0:10 + 60 s)
            List<BranchStatusChange> changes = values(after.getSideOutput(BranchWorkFunction.STATUS_CHANGES));
            assertEquals(List.of(BranchStatusChange.Transition.DOWN), changes.stream().map(c -> c.transition).toList());
            assertEquals(Long.valueOf(OutageFixtures.at(0, 10)), changes.get(0).downSince);
        }
        try (var again = fusedHarness(OutageFixtures.catalog())) {
            again.setup();
            again.initializeState(next);
            again.open();
            assertEquals(1, entries(again), "the entry, now from its serialized form");
            long asObjects = ((BranchWorkOperator) again.getOperator()).<Long>getKeyedStateBackend()
                    .getKeys(BranchWorkFunction.STATE_NAME, org.apache.flink.runtime.state.VoidNamespace.INSTANCE).count();
            assertEquals(0, asObjects, "no entry kept as an object any more");
        }
    }

    /** Writes an up branch's entry as the versions before the serialized entries did: an object in state "branch-work". */
    static final class EntriesAsObjects extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<Long, BranchSignal, BranchDelta> {
        private transient org.apache.flink.api.common.state.ValueState<BranchWorkState> entries;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            entries = getRuntimeContext().getState(new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                    BranchWorkFunction.STATE_NAME, TypeInformation.of(BranchWorkState.class)));
        }

        @Override
        public void processElement(BranchSignal signal, Context ctx, org.apache.flink.util.Collector<BranchDelta> out) throws Exception {
            BranchOutageState outage = new BranchOutageState();
            outage.constituencyId = signal.constituencyId;
            outage.started = true;
            outage.lastHeard = signal.heardAt;
            outage.lastChange = signal.heardAt;
            outage.deadline = signal.heardAt + 60_000;
            outage.timerAt = outage.deadline;
            BranchWorkState entry = new BranchWorkState();
            entry.outage = outage;
            entry.timerAt = outage.deadline;
            entries.update(entry);
        }
    }

    /**
     * The branch work's current timers: Flink's (BATCH, and a restore of an older checkpoint), or in STREAMING the entries'
     * timers, each of which must be in its operator's buckets (the buckets may also hold timers moved since, ignored).
     */
    static long timers(KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> harness) throws Exception {
        BranchWorkOperator operator = (BranchWorkOperator) harness.getOperator();
        if (operator.buckets() == null) return harness.numEventTimeTimers();
        java.util.Set<String> inBuckets = new java.util.HashSet<>();
        operator.buckets().forEach((key, time) -> inBuckets.add(key + "@" + time));
        java.util.List<String> wanted = new ArrayList<>();
        operator.forEachEntryTimer((key, time) -> wanted.add(key + "@" + time));
        for (String timer : wanted) assertTrue(inBuckets.contains(timer), "the timer " + timer + " of an entry is not in the buckets");
        return harness.numEventTimeTimers() + wanted.size();
    }

    /** The branch work's entries: in STREAMING its operator's table, in BATCH Flink's keyed state. */
    static int entries(KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> harness) {
        return ((BranchWorkOperator) harness.getOperator()).branchEntries();
    }

    static KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> fusedHarness(
            org.turnoutstream.reference.ElectionCatalog catalog) throws Exception {
        return NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(
                fusedFunction(BranchOutageDetectorDifferentialTest.ONE_MINUTE, catalog).operator(), BranchSignal::compactKey, Types.LONG));
    }

    static long lastHeard(Run run) {
        long last = Long.MIN_VALUE;
        for (Step step : run.steps()) if (step instanceof Arrive a) last = Math.max(last, a.signal().heardAt);
        return last;
    }

    /** Some reports regress, jump (too fast for {@link #RULES}) or repeat an earlier sequence. */
    static Run withIntegrityFaults(Random r, Run run) {
        Map<String, List<BranchSignal>> reports = new TreeMap<>();
        for (Step step : run.steps()) {
            if (!(step instanceof Arrive a) || a.signal().kind != BranchSignal.Kind.REPORT) continue;
            BranchSignal s = a.signal();
            List<BranchSignal> before = reports.computeIfAbsent(s.branchKey(), k -> new ArrayList<>());
            int dice = r.nextInt(20);
            if (dice == 0) s.ballotsCast = Math.max(0, s.ballotsCast - 1 - r.nextInt(30));
            else if (dice == 1) s.ballotsCast += 200 + r.nextInt(300);
            else if (dice == 2 && !before.isEmpty()) {
                BranchSignal earlier = before.get(r.nextInt(before.size()));
                s.sequence = earlier.sequence;
                if (r.nextBoolean()) s.ballotsCast = earlier.ballotsCast; // an exact duplicate, or a conflicting one
            }
            before.add(s);
        }
        return run;
    }

    // ---------------------------------------------------------------- the two sides

    /** The separate functions and the fused one, each on {@code parallelism} subtasks, fed the same steps. */
    static final class Sides implements AutoCloseable {
        final Config config;
        final int parallelism;
        final List<KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchStatusChange>> detectors = new ArrayList<>();
        final List<KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchAlert>> integrity = new ArrayList<>();
        final List<KeyedOneInputStreamOperatorTestHarness<String, BranchReport, BranchDelta>> counts = new ArrayList<>();
        final List<KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta>> fusedHarnesses = new ArrayList<>();
        /** Per branch and output: "key delta|change|alert" -> what came out, in order. */
        final Map<String, List<String>> separate = new TreeMap<>();
        final Map<String, List<String>> fused = new TreeMap<>();
        long checkpoint;

        Sides(Config config, int parallelism) throws Exception {
            this.config = config;
            this.parallelism = parallelism;
            for (int i = 0; i < parallelism; i++) {
                detectors.add(opened(newDetector(i)));
                integrity.add(opened(newIntegrity(i)));
                counts.add(opened(newCount(i)));
                fusedHarnesses.add(opened(newFused(i)));
            }
        }

        static <H extends KeyedOneInputStreamOperatorTestHarness<?, ?, ?>> H opened(H harness) throws Exception {
            harness.open();
            return harness;
        }

        <IN, OUT> KeyedOneInputStreamOperatorTestHarness<String, IN, OUT> harness(OneInputStreamOperator<IN, OUT> operator,
                                                                                 KeySelector<IN, String> key, int subtask) throws Exception {
            return harness(operator, key, Types.STRING, subtask);
        }

        <K, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness(OneInputStreamOperator<IN, OUT> operator, KeySelector<IN, K> key,
                                                                               TypeInformation<K> keyType, int subtask) throws Exception {
            return NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(operator, key, keyType,
                    parallelism == 1 ? 1 : MAX_PARALLELISM, parallelism, subtask));
        }

        KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchStatusChange> newDetector(int subtask) throws Exception {
            return harness(config.detector().operator(), BranchSignal::branchKey, subtask);
        }

        KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchAlert> newIntegrity(int subtask) throws Exception {
            return harness(new KeyedProcessOperator<>(new IntegrityChecks(RULES, config.hours())), BranchSignal::branchKey, subtask);
        }

        KeyedOneInputStreamOperatorTestHarness<String, BranchReport, BranchDelta> newCount(int subtask) throws Exception {
            return harness(new KeyedProcessOperator<>(new BranchLatestCount(GRID)), BranchReport::branchKey, subtask);
        }

        /**
         * Keyed as in the job: by the compact key (so its branches go to other subtasks than the separate functions').
         * Each signal processed as it comes, so its deltas are known to be its own ({@link #collect}); batches are
         * checked against this in {@link #batchesGiveWhatOneSignalAtATimeGives}.
         */
        KeyedOneInputStreamOperatorTestHarness<Long, BranchSignal, BranchDelta> newFused(int subtask) throws Exception {
            return harness(fusedFunction(config).operator(1), BranchSignal::compactKey, Types.LONG, subtask);
        }

        void play(Step step) throws Exception {
            if (step instanceof Arrive a) {
                BranchSignal s = a.signal();
                int i = parallelism == 1 ? 0 : KeyGroupRangeAssignment.assignKeyToParallelOperator(s.branchKey(), MAX_PARALLELISM, parallelism);
                int f = parallelism == 1 ? 0 : KeyGroupRangeAssignment.assignKeyToParallelOperator(s.compactKey(), MAX_PARALLELISM, parallelism);
                detectors.get(i).processElement(copy(s), s.heardAt);
                if (IntegrityChecks.judged(s.kind)) integrity.get(i).processElement(copy(s), s.heardAt);
                if (s.kind == BranchSignal.Kind.REPORT) counts.get(i).processElement(s.toReport(), s.heardAt);
                fusedHarnesses.get(f).processElement(copy(s), s.heardAt);
                collect(s.branchKey());
            } else if (step instanceof Watermark w) {
                for (int i = 0; i < parallelism; i++) {
                    detectors.get(i).processWatermark(w.time());
                    integrity.get(i).processWatermark(w.time());
                    counts.get(i).processWatermark(w.time());
                    fusedHarnesses.get(i).processWatermark(w.time());
                }
                collect(null);
            } else {
                checkpoint++;
                for (int i = 0; i < parallelism; i++) {
                    final int subtask = i;
                    detectors.set(i, restored(detectors.get(i), () -> newDetector(subtask)));
                    integrity.set(i, restored(integrity.get(i), () -> newIntegrity(subtask)));
                    counts.set(i, restored(counts.get(i), () -> newCount(subtask)));
                    fusedHarnesses.set(i, restored(fusedHarnesses.get(i), () -> newFused(subtask)));
                }
            }
        }

        interface HarnessFactory<K, IN, OUT> {
            KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> create() throws Exception;
        }

        <K, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> restored(
                KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> old, HarnessFactory<K, IN, OUT> factory) throws Exception {
            OperatorSubtaskState snapshot = old.snapshot(checkpoint, checkpoint);
            old.close();
            var restored = factory.create();
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            return restored;
        }

        /** Takes what every harness emitted; deltas belong to the branch of the signal just played (the count has no timers). */
        void collect(String deltasOf) {
            for (int i = 0; i < parallelism; i++) {
                for (BranchStatusChange c : detectors.get(i).extractOutputValues()) add(separate, c);
                for (BranchAlert alert : integrity.get(i).extractOutputValues()) add(separate, alert);
                for (BranchDelta d : counts.get(i).extractOutputValues()) add(separate, deltasOf, d);
                var f = fusedHarnesses.get(i);
                for (BranchDelta d : f.extractOutputValues()) add(fused, deltasOf, d);
                for (BranchStatusChange c : values(f.getSideOutput(BranchWorkFunction.STATUS_CHANGES))) add(fused, c);
                for (BranchAlert alert : values(f.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS))) add(fused, alert);
                detectors.get(i).getOutput().clear();
                integrity.get(i).getOutput().clear();
                counts.get(i).getOutput().clear();
                f.getOutput().clear();
                if (f.getSideOutput(BranchWorkFunction.STATUS_CHANGES) != null) f.getSideOutput(BranchWorkFunction.STATUS_CHANGES).clear();
                if (f.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS) != null) f.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS).clear();
            }
        }

        @Override
        public void close() throws Exception {
            for (var h : detectors) h.close();
            for (var h : integrity) h.close();
            for (var h : counts) h.close();
            for (var h : fusedHarnesses) h.close();
        }
    }

    static BranchWorkFunction fusedFunction(Config config) {
        return fusedFunction(config, OutageFixtures.catalog());
    }

    static BranchWorkFunction fusedFunction(Config config, org.turnoutstream.reference.ElectionCatalog catalog) {
        return new BranchWorkFunction(new BranchLatestCount(GRID), config.detector(), new IntegrityChecks(RULES, config.hours()), catalog);
    }

    static BranchSignal copy(BranchSignal s) {
        return BranchSignalSerializer.INSTANCE.copy(s);
    }

    static <T> List<T> values(Collection<StreamRecord<T>> records) {
        List<T> out = new ArrayList<>();
        if (records != null) for (StreamRecord<T> r : records) out.add(r.getValue());
        return out;
    }

    static void add(Map<String, List<String>> out, BranchStatusChange c) {
        out.computeIfAbsent(c.election + '\u001f' + c.branchId + " change", k -> new ArrayList<>()).add(c.toString());
    }

    static void add(Map<String, List<String>> out, BranchAlert a) {
        out.computeIfAbsent(a.getElection() + '\u001f' + a.getBranchId() + " alert", k -> new ArrayList<>()).add(a.toString());
    }

    static void add(Map<String, List<String>> out, String key, BranchDelta d) {
        out.computeIfAbsent(key + " delta", k -> new ArrayList<>()).add(d.toString());
    }

    static String mismatch(Run run, int parallelism) throws Exception {
        try (Sides sides = new Sides(run.config(), parallelism)) {
            long last = Long.MIN_VALUE;
            for (Step step : run.steps()) {
                sides.play(step);
                if (step instanceof Watermark w) last = Math.max(last, w.time());
                if (step instanceof Arrive a) last = Math.max(last, a.signal().heardAt);
            }
            // The fused function may judge a report up to INTEGRITY_LATENESS after the watermark passed it (in a job the
            // watermark goes on): both sides get a watermark that far past everything, so both have judged every report.
            if (last < Long.MAX_VALUE - BranchWorkFunction.INTEGRITY_LATENESS_MILLIS) {
                sides.play(new Watermark(last + BranchWorkFunction.INTEGRITY_LATENESS_MILLIS));
            }
            String diff = compare(sides.separate, sides.fused);
            if (diff != null) return diff;
            int separateEntries = 0, fusedEntries = 0;
            for (int i = 0; i < parallelism; i++) {
                separateEntries += sides.detectors.get(i).numKeyedStateEntries() + sides.integrity.get(i).numKeyedStateEntries()
                        + sides.counts.get(i).numKeyedStateEntries();
                fusedEntries += entries(sides.fusedHarnesses.get(i));
                if (timers(sides.fusedHarnesses.get(i)) > entries(sides.fusedHarnesses.get(i))) {
                    return "subtask " + i + " keeps " + timers(sides.fusedHarnesses.get(i)) + " timers for "
                            + entries(sides.fusedHarnesses.get(i)) + " branches\n";
                }
            }
            if ((separateEntries == 0) != (fusedEntries == 0)) {
                return "the separate functions keep " + separateEntries + " state entries, the fused one " + fusedEntries + "\n";
            }
            return null;
        }
    }

    static String batchMismatch(Run run) throws Exception {
        List<BranchSignal> all = BranchOutageDetectorDifferentialTest.batchInput(run);
        Map<String, List<String>> separate = new TreeMap<>();
        Map<String, List<String>> fused = new TreeMap<>();
        var detector = BatchModeHarness.run(run.config().detector(), BranchSignal::branchKey, s -> s.heardAt, copies(all, false));
        var checks = BatchModeHarness.run(new IntegrityChecks(RULES, run.config().hours()), BranchSignal::branchKey, s -> s.heardAt, copies(all, true));
        var work = BatchModeHarness.run(fusedFunction(run.config()), BranchSignal::compactKey, Types.LONG, s -> s.heardAt, copies(all, false));
        try {
            for (BranchStatusChange c : detector.extractOutputValues()) add(separate, c);
            for (BranchAlert a : checks.extractOutputValues()) add(separate, a);
            for (BranchStatusChange c : values(work.getSideOutput(BranchWorkFunction.STATUS_CHANGES))) add(fused, c);
            for (BranchAlert a : values(work.getSideOutput(BranchWorkFunction.INTEGRITY_ALERTS))) add(fused, a);
        } finally {
            detector.close();
            checks.close();
            work.close();
        }
        // Deltas carry no branch, and the two sides take their keys in another order (strings, compact keys): each side
        // counts each branch's signals on its own.
        Map<String, List<BranchSignal>> byBranch = new TreeMap<>();
        for (BranchSignal s : all) byBranch.computeIfAbsent(s.branchKey(), k -> new ArrayList<>()).add(s);
        for (Map.Entry<String, List<BranchSignal>> branch : byBranch.entrySet()) {
            List<BranchReport> reports = new ArrayList<>();
            for (BranchSignal s : branch.getValue()) if (s.kind == BranchSignal.Kind.REPORT) reports.add(s.toReport());
            var count = BatchModeHarness.run(new BranchLatestCount(GRID), BranchReport::branchKey, r -> r.receivedAt, reports);
            var branchWork = BatchModeHarness.run(fusedFunction(run.config()), BranchSignal::compactKey, Types.LONG, s -> s.heardAt,
                    copies(branch.getValue(), false));
            try {
                for (BranchDelta d : count.extractOutputValues()) add(separate, branch.getKey(), d);
                for (BranchDelta d : branchWork.extractOutputValues()) add(fused, branch.getKey(), d);
            } finally {
                count.close();
                branchWork.close();
            }
        }
        return compare(separate, fused);
    }

    static List<BranchSignal> copies(List<BranchSignal> signals, boolean judgedOnly) {
        List<BranchSignal> out = new ArrayList<>();
        for (BranchSignal s : signals) if (!judgedOnly || IntegrityChecks.judged(s.kind)) out.add(copy(s));
        return out;
    }

    /** Null when both sides gave every branch the same outputs in the same order; else what differs. */
    static String compare(Map<String, List<String>> separate, Map<String, List<String>> fused) {
        StringBuilder diff = new StringBuilder();
        TreeSet<String> keys = new TreeSet<>(separate.keySet());
        keys.addAll(fused.keySet());
        for (String key : keys) {
            List<String> a = separate.getOrDefault(key, List.of());
            List<String> b = fused.getOrDefault(key, List.of());
            if (!a.equals(b)) diff.append(key.replace('\u001f', '/')).append(":\n  separate: ").append(a).append("\n  fused:    ").append(b).append('\n');
        }
        return diff.length() == 0 ? null : diff.toString();
    }

    @Test
    void theComparisonSeesADifference() {
        // the check itself: a run whose fused side loses an alert must be reported
        Map<String, List<String>> a = Map.of("e\u001fb alert", List.of("x", "y"));
        Map<String, List<String>> b = Map.of("e\u001fb alert", List.of("x"));
        assertEquals("e/b alert:\n  separate: [x, y]\n  fused:    [x]\n", compare(a, b));
        assertNull(compare(a, a));
    }
}
