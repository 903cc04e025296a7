package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.turnoutstream.signals.BranchSignal.Kind;
import org.turnoutstream.functions.BranchStatusChange.Transition;
import org.turnoutstream.functions.OutageReferenceModel.Arrive;
import org.turnoutstream.functions.OutageReferenceModel.Restore;
import org.turnoutstream.testing.NoGenericTypes;
import org.turnoutstream.functions.OutageReferenceModel.Step;
import org.turnoutstream.functions.OutageReferenceModel.Watermark;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.turnoutstream.functions.BranchOutageDetectorTest.change;
import static org.turnoutstream.functions.OutageFixtures.at;
import static org.turnoutstream.functions.OutageFixtures.ELECTION;
import static org.turnoutstream.functions.OutageFixtures.KARAJ;
import static org.turnoutstream.functions.OutageFixtures.MINUTE;
import static org.turnoutstream.functions.OutageFixtures.SECOND;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;
import static org.turnoutstream.testing.ElectionDayFixtures.karajBranch;

/**
 * Differential, property-based: random runs (a few branches, heartbeats, reports, explicit and buffered outages,
 * silences, signals in the same millisecond, arrival shuffled within the watermark's bound, late signals, closings, the
 * end of the election) go through {@link OutageReferenceModel} and through the real {@link BranchOutageDetector} in
 * Flink's operator harness; each branch's changes must be the same, in the same order (across branches the order is
 * free). The same for a run restored from a snapshot mid-stream, for two subtasks of parallelism 2, and for BATCH.
 *
 * <p>Plain JUnit: each property plays {@code tries} seeded runs; a failing run is shrunk (whole branches, then chunks of
 * steps, then the configuration) and printed as readable steps with its seed. {@code -Doutage.seed=N} changes the base
 * seed, {@code -Doutage.tries=N} the number of runs per property, {@code -Doutage.replay=SEED} plays one printed run.
 * (Not jqwik: since 1.10 its maintainer asks that AI coding agents not use it, and its engine prints a line addressed to
 * them in every test run.)
 */
class BranchOutageDetectorDifferentialTest {
    static final long BASE = POLLS_OPEN_MILLIS;
    static final String E1 = ELECTION;
    static final String E2 = "2024-majlis-r2-tehran";
    static final LinkType[] LINKS = LinkType.values();
    static final int MAX_PARALLELISM = 128;

    static final long SEED = Long.getLong("outage.seed", 20240301L);
    static final Integer TRIES = Integer.getInteger("outage.tries");
    static final Long REPLAY = Long.getLong("outage.replay");

    // ---------------------------------------------------------------- properties

    @Test
    void streamingMatchesTheModel() {
        property("streaming", 500, r -> generate(r, false), run -> streamingMismatch(run, 1));
    }

    @Test
    void restoredFromASnapshotMidStreamMatchesTheModel() {
        property("restore", 300, r -> generate(r, true), run -> streamingMismatch(run, 1));
    }

    @Test
    void twoSubtasksOfParallelismTwoMatchTheModel() {
        property("parallelism 2", 200, r -> generate(r, r.nextInt(4) == 0), run -> streamingMismatch(run, 2));
    }

    @Test
    void batchMatchesTheModelOfAllSignalsThenTheEnd() {
        property("batch", 300, r -> generate(r, false), run -> {
            List<BranchSignal> all = batchInput(run);
            List<Step> steps = new ArrayList<>();
            for (BranchSignal s : all) steps.add(new Arrive(s));
            steps.add(new Watermark(Long.MAX_VALUE));
            Map<String, List<BranchStatusChange>> expected = OutageReferenceModel.run(run.config.timeouts(),
                    run.config.retention(), run.config.hours(), steps);
            var harness = BatchModeHarness.run(run.config.detector(), BranchSignal::branchKey, s -> s.heardAt, all);
            try {
                return compare(expected, byBranch(harness.extractOutputValues()));
            } finally {
                harness.close();
            }
        });
    }

    // ---------------------------------------------------------------- corners too rare for random runs, pinned by hand

    static BranchSignal b17(Kind kind, long heardAt, LinkType link) {
        return signal(E1, karajBranch(17), kind, heardAt, heardAt, link);
    }

    static Arrive arrive(Kind kind, long heardAt) {
        return new Arrive(b17(kind, heardAt, null));
    }

    static Watermark watermark(long time) {
        return new Watermark(time);
    }

    static final Config ONE_MINUTE = new Config(MINUTE, Map.of(), 0, Map.of(), 0);

    /** The model gives {@code expected} for branch 17, and the detector the same. */
    static void pinned(String what, Config config, List<Step> steps, BranchStatusChange... expected) throws Exception {
        Run run = new Run(config, steps);
        assertEquals(List.of(expected), model(run).getOrDefault(E1 + '\u001f' + karajBranch(17), List.of()), what + ": the model");
        String diff = streamingMismatch(run, 1);
        assertNull(diff, () -> what + ": the detector differs from the model in\n" + run + diff);
    }

    @Test
    void aStaleLateClosedChangesOnlyTheLinkAndTheArmedDeadlineKeepsTheOldLinksTimeout() throws Exception {
        Config satellite = new Config(MINUTE, Map.of(LinkType.SATELLITE, 3 * MINUTE), 0, Map.of(), 0);
        pinned("stale CLOSED", satellite, List.of(
                        new Arrive(b17(Kind.HEARTBEAT, at(0, 0), LinkType.FIBER)), arrive(Kind.LINK_DOWN, at(0, 10)),
                        arrive(Kind.LINK_UP, at(0, 30)), watermark(at(0, 40)),
                        new Arrive(b17(Kind.CLOSED, at(0, 20), LinkType.SATELLITE)), // late, older than the UP: changes only the link
                        watermark(at(3, 0)),
                        arrive(Kind.HEARTBEAT, at(3, 10)), watermark(at(6, 0)), watermark(at(6, 10))),
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(0, 10), Transition.DOWN, at(0, 10), AlertReason.LINK_DOWN),
                change(17, at(0, 30), Transition.UP, at(0, 10), AlertReason.LINK_UP),
                change(17, at(1, 30), Transition.DOWN, at(0, 30), AlertReason.HEARTBEAT_TIMEOUT), // still fibre's 60 s
                change(17, at(3, 10), Transition.UP, at(0, 30), AlertReason.HEARTBEAT),
                change(17, at(6, 10), Transition.DOWN, at(3, 10), AlertReason.HEARTBEAT_TIMEOUT)); // now the satellite's 3 min
    }

    @Test
    void aLateClosedPastItsRetentionDropsTheStateAtOnceAndTheNextLateSignalOpensTheBranchAgain() throws Exception {
        pinned("late CLOSED", ONE_MINUTE, List.of(
                        arrive(Kind.HEARTBEAT, at(0, 0)), watermark(at(0, 30)),
                        arrive(Kind.CLOSED, at(0, 10)), arrive(Kind.HEARTBEAT, at(0, 20)), watermark(at(1, 30))),
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(0, 10), Transition.CLOSED, null, AlertReason.CLOSED),
                change(17, at(0, 20), Transition.OPENED, null, null),
                change(17, at(1, 20), Transition.DOWN, at(0, 20), AlertReason.HEARTBEAT_TIMEOUT));
    }

    @Test
    void aSignalAfterTheEndOfTheElectionOpensTheBranchAgainAndClosesItAtTheEnd() throws Exception {
        Config hours = new Config(MINUTE, Map.of(), 0, Map.of(E1, at(1, 0)), 0);
        pinned("after the end", hours, List.of(
                        arrive(Kind.HEARTBEAT, at(0, 0)), watermark(at(2, 0)),
                        arrive(Kind.REPORT, at(2, 30)), watermark(at(3, 0))),
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(1, 0), Transition.DOWN, at(0, 0), AlertReason.HEARTBEAT_TIMEOUT), // a deadline at the end goes first
                change(17, at(1, 0), Transition.CLOSED, at(0, 0), AlertReason.POLLS_CLOSED),
                change(17, at(2, 30), Transition.OPENED, null, null),
                change(17, at(1, 0), Transition.CLOSED, null, AlertReason.POLLS_CLOSED)); // at the end, before the OPENED
    }

    @Test
    void aRestoredOperatorKeepsItsWatermarkSoASignalBehindItIsStillLate() throws Exception {
        pinned("restore", ONE_MINUTE, List.of(
                        arrive(Kind.HEARTBEAT, at(0, 0)), watermark(at(2, 0)),
                        new Restore(),
                        arrive(Kind.HEARTBEAT, at(0, 30)), // late, as without the restart: stale, it changes nothing
                        watermark(at(2, 0))),
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(1, 0), Transition.DOWN, at(0, 0), AlertReason.HEARTBEAT_TIMEOUT));
    }

    @Test
    void aDeadlineThatALateSignalMadeDueWaitsForTheNextWatermarkAndALaterLateSignalMovesIt() throws Exception {
        pinned("late deadline", ONE_MINUTE, List.of(
                        arrive(Kind.HEARTBEAT, at(0, 0)), watermark(at(3, 0)),
                        arrive(Kind.HEARTBEAT, at(1, 30)), // late, not stale: up again, deadline 08:02:30, already behind the watermark
                        arrive(Kind.HEARTBEAT, at(2, 45)), // late: moves the deadline to 08:03:45 before 08:02:30 was applied
                        watermark(at(3, 0)), watermark(at(4, 0))),
                change(17, at(0, 0), Transition.OPENED, null, null),
                change(17, at(1, 0), Transition.DOWN, at(0, 0), AlertReason.HEARTBEAT_TIMEOUT),
                change(17, at(1, 30), Transition.UP, at(0, 0), AlertReason.HEARTBEAT),
                change(17, at(3, 45), Transition.DOWN, at(2, 45), AlertReason.HEARTBEAT_TIMEOUT));
    }

    /** Signals alike but for the constituency, in one millisecond: the first to arrive names it (arrival order shows). */
    @Test
    void theConstituencyIsTheOpeningSignalsAndTiesKeepTheirArrivalOrder() throws Exception {
        BranchSignal west = b17(Kind.HEARTBEAT, at(0, 0), null);
        west.constituencyId = "karaj-west";
        BranchSignal karaj = b17(Kind.HEARTBEAT, at(0, 0), null);
        BranchStatusChange openedWest = change(17, at(0, 0), Transition.OPENED, null, null);
        openedWest.constituencyId = "karaj-west";
        pinned("west first", ONE_MINUTE, List.of(new Arrive(west), new Arrive(karaj), watermark(at(0, 30))), openedWest);
        pinned("karaj first", ONE_MINUTE, List.of(new Arrive(karaj), new Arrive(west), watermark(at(0, 30))),
                change(17, at(0, 0), Transition.OPENED, null, null));
    }

    /** Every signal of the run, in arrival order, stably sorted by heard time: what a bounded BATCH input holds. */
    static List<BranchSignal> batchInput(Run run) {
        List<BranchSignal> all = new ArrayList<>();
        for (Step step : run.steps) if (step instanceof Arrive a) all.add(a.signal());
        all.sort(Comparator.comparingLong(s -> s.heardAt));
        return all;
    }

    // ---------------------------------------------------------------- the two sides

    static Map<String, List<BranchStatusChange>> model(Run run) {
        return OutageReferenceModel.run(run.config.timeouts(), run.config.retention(), run.config.hours(), run.steps);
    }

    /**
     * Plays the run through the detector on {@code parallelism} subtasks (a {@link Restore} restarts them from a snapshot)
     * and compares with the model; when the model has dropped every branch, the detector must keep no state and no timer.
     */
    static String streamingMismatch(Run run, int parallelism) throws Exception {
        try (Subtasks subtasks = new Subtasks(run.config, parallelism)) {
            for (Step step : run.steps) subtasks.play(step);
            String diff = compare(model(run), subtasks.out);
            if (diff == null && (subtasks.stateEntries() != 0 || subtasks.timers() != 0)
                    && OutageReferenceModel.nothingLeft(run.config.timeouts(), run.config.retention(), run.config.hours(), run.steps)) {
                diff = "every branch was dropped (model), but the detector keeps " + subtasks.stateEntries() + " state entries and "
                        + subtasks.timers() + " timers\n";
            }
            return diff;
        }
    }

    /** The detector's subtasks, each signal routed to the one that owns its key group, watermarks to all. */
    static final class Subtasks implements AutoCloseable {
        final Config config;
        final int parallelism;
        final List<KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchStatusChange>> harnesses = new ArrayList<>();
        final Map<String, List<BranchStatusChange>> out = new TreeMap<>();
        long checkpoint;

        Subtasks(Config config, int parallelism) throws Exception {
            this.config = config;
            this.parallelism = parallelism;
            for (int i = 0; i < parallelism; i++) {
                if (parallelism == 1) {
                    var harness = newHarness(i);
                    harness.open();
                    harnesses.add(harness);
                } else {
                    var harness = newHarness(i);
                    harness.open();
                    harnesses.add(harness);
                }
            }
        }

        KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchStatusChange> newHarness(int subtask) throws Exception {
            // the operator the job runs it in: it keeps the watermark across a restore
            return NoGenericTypes.in(new KeyedOneInputStreamOperatorTestHarness<>(config.detector().operator(), BranchSignal::branchKey,
                    Types.STRING, parallelism == 1 ? 1 : MAX_PARALLELISM, parallelism, subtask));
        }

        void play(Step step) throws Exception {
            if (step instanceof Arrive a) {
                BranchSignal s = a.signal();
                int subtask = parallelism == 1 ? 0
                        : KeyGroupRangeAssignment.assignKeyToParallelOperator(s.branchKey(), MAX_PARALLELISM, parallelism);
                harnesses.get(subtask).processElement(s, s.heardAt);
            } else if (step instanceof Watermark w) {
                for (var harness : harnesses) harness.processWatermark(w.time());
            } else {
                checkpoint++;
                for (int i = 0; i < parallelism; i++) {
                    OperatorSubtaskState snapshot = harnesses.get(i).snapshot(checkpoint, checkpoint);
                    harnesses.get(i).close();
                    var restored = newHarness(i);
                    restored.setup();
                    restored.initializeState(snapshot);
                    restored.open();
                    harnesses.set(i, restored);
                }
            }
            for (var harness : harnesses) {
                for (BranchStatusChange c : harness.extractOutputValues()) out.computeIfAbsent(key(c), k -> new ArrayList<>()).add(c);
                harness.getOutput().clear();
            }
        }

        int stateEntries() {
            return harnesses.stream().mapToInt(KeyedOneInputStreamOperatorTestHarness::numKeyedStateEntries).sum();
        }

        int timers() {
            return harnesses.stream().mapToInt(KeyedOneInputStreamOperatorTestHarness::numEventTimeTimers).sum();
        }

        @Override
        public void close() throws Exception {
            for (var harness : harnesses) harness.close();
        }
    }

    static String key(BranchStatusChange c) {
        return c.election + '\u001f' + c.branchId;
    }

    static Map<String, List<BranchStatusChange>> byBranch(List<BranchStatusChange> changes) {
        Map<String, List<BranchStatusChange>> out = new TreeMap<>();
        for (BranchStatusChange c : changes) out.computeIfAbsent(key(c), k -> new ArrayList<>()).add(c);
        return out;
    }

    /** Null when every branch has the same changes on both sides; else what differs, readably. */
    static String compare(Map<String, List<BranchStatusChange>> expected, Map<String, List<BranchStatusChange>> actual) {
        StringBuilder diff = new StringBuilder();
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            List<BranchStatusChange> e = expected.getOrDefault(key, List.of());
            List<BranchStatusChange> a = actual.getOrDefault(key, List.of());
            if (e.equals(a)) continue;
            int same = 0;
            while (same < Math.min(e.size(), a.size()) && e.get(same).equals(a.get(same))) same++;
            diff.append("branch ").append(key.replace('\u001f', '/')).append(": the same for the first ").append(same)
                    .append(" changes, then\n    model:    ").append(describe(e.subList(same, e.size())))
                    .append("\n    detector: ").append(describe(a.subList(same, a.size()))).append('\n');
            if (same > 0) diff.append("    (the ones before: ").append(describe(e.subList(0, same))).append(")\n");
        }
        return diff.length() == 0 ? null : diff.toString();
    }

    // ---------------------------------------------------------------- runs

    /** The detector's configuration, as plain values (so that a failing run can simplify it). */
    record Config(long timeout, Map<LinkType, Long> perLink, long retentionMillis, Map<String, Long> pollsClose, long grace) {
        HeartbeatTimeouts timeouts() {
            HeartbeatTimeouts t = HeartbeatTimeouts.of(Duration.ofMillis(timeout));
            for (var e : perLink.entrySet()) t = t.with(e.getKey(), Duration.ofMillis(e.getValue()));
            return t;
        }

        Duration retention() {
            return Duration.ofMillis(retentionMillis);
        }

        PollingHours hours() {
            if (pollsClose.isEmpty()) return PollingHours.none();
            Map<String, Instant> close = new LinkedHashMap<>();
            pollsClose.forEach((e, at) -> close.put(e, Instant.ofEpochMilli(at)));
            return PollingHours.of(close, Duration.ofMillis(grace));
        }

        BranchOutageDetector detector() {
            return new BranchOutageDetector(timeouts(), retention(), hours());
        }

        long timeoutFor(LinkType link) {
            return link != null && perLink.containsKey(link) ? perLink.get(link) : timeout;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("timeout ").append(timeout / 1000.0).append(" s");
            perLink.forEach((link, t) -> s.append(", ").append(link).append(' ').append(t / 1000.0).append(" s"));
            s.append("; closed retention ").append(retentionMillis / 1000.0).append(" s; ");
            if (pollsClose.isEmpty()) s.append("no polling hours");
            pollsClose.forEach((e, at) -> s.append("polls close in ").append(e).append(" at ").append(time(at)).append(' '));
            if (!pollsClose.isEmpty()) s.append("grace ").append(grace / 1000.0).append(" s (end at close + grace)");
            return s.toString();
        }
    }

    record Run(Config config, List<Step> steps) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(config.toString()).append("\nsteps (times from ")
                    .append(Instant.ofEpochMilli(BASE)).append("):\n");
            for (Step step : steps) s.append("  ").append(describe(step)).append('\n');
            return s.toString();
        }
    }

    static String time(long t) {
        if (t == Long.MAX_VALUE) return "MAX";
        if (t == Long.MIN_VALUE) return "MIN";
        long d = t - BASE;
        return (d < 0 ? "-" : "+") + Math.abs(d) / 1000 + "." + String.format("%03d", Math.abs(d) % 1000) + "s";
    }

    static String describe(Step step) {
        if (step instanceof Watermark w) return "watermark " + time(w.time());
        if (step instanceof Restore) return "restore from a snapshot";
        BranchSignal s = ((Arrive) step).signal();
        return "arrive " + (s.election.equals(E1) ? "" : s.election + "/") + s.branchId
                + (s.constituencyId.equals(KARAJ) ? "" : " (" + s.constituencyId + ")") + " " + s.kind
                + (s.link != null ? " " + s.link : "") + (s.kind == Kind.REPORT ? " seq=" + s.sequence + " ballots=" + s.ballotsCast : "")
                + " heard " + time(s.heardAt) + (s.eventTime != s.heardAt ? " (event " + time(s.eventTime) + ")" : "");
    }

    static String describe(List<BranchStatusChange> changes) {
        if (changes.isEmpty()) return "(nothing)";
        List<String> out = new ArrayList<>();
        for (BranchStatusChange c : changes) {
            out.add(c.transition + " " + time(c.time) + (c.downSince != null ? " since " + time(c.downSince) : "")
                    + (c.reason != null ? " " + c.reason : "") + " up=" + c.up + " open=" + c.open
                    + (c.constituencyId.equals(KARAJ) ? "" : " (" + c.constituencyId + ")"));
        }
        return String.join(", ", out);
    }

    // ---------------------------------------------------------------- generators

    static long pick(Random r, long... values) {
        return values[r.nextInt(values.length)];
    }

    static Run generate(Random r, boolean restores) {
        long timeout = pick(r, 20 * SECOND, 30 * SECOND, 60 * SECOND);
        Map<LinkType, Long> perLink = new EnumMap<>(LinkType.class);
        if (r.nextBoolean()) {
            for (int i = 1 + r.nextInt(2); i > 0; i--) {
                perLink.put(LINKS[r.nextInt(LINKS.length)], pick(r, 15 * SECOND, 45 * SECOND, 90 * SECOND, 3 * MINUTE));
            }
        }
        long retention = pick(r, 0, 0, 20 * SECOND, 2 * MINUTE, 10 * MINUTE);
        long span = (3 + r.nextInt(6)) * MINUTE;
        boolean second = r.nextInt(4) == 0;
        Map<String, Long> close = new TreeMap<>();
        long grace = pick(r, 0, 30 * SECOND, 5 * MINUTE);
        if (r.nextInt(3) != 0) close.put(E1, pollsClose(r, span, grace));
        if (second && r.nextBoolean()) close.put(E2, pollsClose(r, span, grace));
        Config config = new Config(timeout, perLink, retention, close, grace);

        List<BranchSignal> all = new ArrayList<>();
        int branches = 2 + r.nextInt(3);
        for (int b = 0; b < branches; b++) {
            String election = second && b % 2 == 1 ? E2 : E1;
            int number = second && b == 1 ? 17 : 17 + b; // sometimes the same branch id in both elections
            all.addAll(timeline(r, config, election, karajBranch(number), span));
        }
        List<Step> steps = arrivals(r, all);
        if (restores) addRestores(r, steps);
        return new Run(config, steps);
    }

    /** Polls close somewhere in (or around) the run, so the end of the election sometimes falls inside it. */
    static long pollsClose(Random r, long span, long grace) {
        if (r.nextInt(10) == 0) return BASE - grace - MINUTE;                  // over before anything was heard
        return BASE - grace + (long) (span * (0.3 + 0.9 * r.nextDouble())) / SECOND * SECOND;
    }

    static BranchSignal signal(String election, String branchId, Kind kind, long eventTime, long heardAt, LinkType link) {
        return new BranchSignal(election, branchId, KARAJ, eventTime, kind, link).heardAt(heardAt);
    }

    /** One branch's day: what it says and when the centre hears it. */
    static List<BranchSignal> timeline(Random r, Config config, String election, String branchId, long span) {
        List<BranchSignal> out = new ArrayList<>();
        LinkType link = r.nextInt(4) == 0 ? null : LINKS[r.nextInt(LINKS.length)];
        long t = BASE + r.nextInt(30) * SECOND + (r.nextInt(3) == 0 ? r.nextInt(1000) : 0);
        long end = BASE + span;
        long[] report = {0, 0}; // sequence, ballots
        out.add(signal(election, branchId, r.nextInt(5) != 0 ? Kind.OPENED : Kind.HEARTBEAT, t, t, link));
        while (t < end) {
            int dice = r.nextInt(100);
            long next = t + 10 * SECOND + (r.nextInt(4) == 0 ? r.nextInt(3001) - 1500 : 0);
            if (dice < 48) {
                out.add(signal(election, branchId, Kind.HEARTBEAT, next, next, r.nextInt(8) == 0 ? null : link));
            } else if (dice < 60) {
                out.add(report(r, election, branchId, report, next - (r.nextInt(3) == 0 ? r.nextInt(5000) : 0), next));
            } else if (dice < 68) {
                // silence, then a heartbeat: sometimes exactly at the deadline, a millisecond either side, or much later
                long timeout = config.timeoutFor(link);
                long gap = pick(r, timeout, timeout - 1, timeout + 1, (2 + r.nextInt(12)) * 10 * SECOND);
                next = t + gap;
                out.add(signal(election, branchId, r.nextInt(3) == 0 ? Kind.REPORT : Kind.HEARTBEAT, next, next, link));
            } else if (dice < 73) {
                out.add(signal(election, branchId, Kind.LINK_DOWN, next, next, link));
                next += (5 + r.nextInt(120)) * SECOND;
                out.add(signal(election, branchId, Kind.LINK_UP, next, next, link));
            } else if (dice < 78) {
                // the gateway held back the LINK_DOWN and the reports it took meanwhile: all heard at the recovery, with the LINK_UP
                long down = next;
                next = down + (5 + r.nextInt(150)) * SECOND;
                out.add(signal(election, branchId, Kind.LINK_DOWN, down, next, link));
                for (int i = r.nextInt(3); i > 0; i--) out.add(report(r, election, branchId, report, down + r.nextInt((int) (next - down)), next));
                out.add(signal(election, branchId, Kind.LINK_UP, next, next, link));
            } else if (dice < 84) {
                // several signals heard in the same millisecond
                for (int i = 2 + r.nextInt(2); i > 0; i--) {
                    Kind kind = List.of(Kind.HEARTBEAT, Kind.REPORT, Kind.LINK_DOWN, Kind.LINK_UP, Kind.OPENED, Kind.LINK_DOWN)
                            .get(r.nextInt(6));
                    if (r.nextInt(15) == 0) kind = Kind.CLOSED;
                    long event = next - (r.nextBoolean() ? 0 : r.nextInt(3000));
                    if (kind == Kind.REPORT) out.add(report(r, election, branchId, report, event, next));
                    else out.add(signal(election, branchId, kind, event, next, r.nextInt(4) == 0 ? LINKS[r.nextInt(LINKS.length)] : link));
                }
            } else if (dice < 87) {
                link = r.nextInt(4) == 0 ? null : LINKS[r.nextInt(LINKS.length)];
                out.add(signal(election, branchId, Kind.HEARTBEAT, next, next, link));
            } else if (dice < 89) {
                out.add(signal(election, branchId, Kind.OPENED, next, next, link));
            } else if (dice < 91) {
                // and it goes on talking; a CLOSED may name a link too (a late, stale one changes only the link)
                out.add(signal(election, branchId, Kind.CLOSED, next, next, r.nextBoolean() ? null : LINKS[r.nextInt(LINKS.length)]));
            } else if (dice < 94) {
                out.add(signal(election, branchId, Kind.LINK_DOWN, next, next, link));                     // back with whatever comes next
            } else if (dice < 97) {
                // the branch's own clock is far off (either way)
                long event = next + (r.nextBoolean() ? 1 : -1) * r.nextInt(90) * SECOND;
                out.add(signal(election, branchId, r.nextBoolean() ? Kind.HEARTBEAT : Kind.LINK_DOWN, event, next, link));
            } else {
                // a signal that names another constituency (the branch's state keeps the first one)
                BranchSignal s = signal(election, branchId, Kind.HEARTBEAT, next, next, link);
                s.constituencyId = "karaj-west";
                out.add(s);
            }
            t = Math.max(t, next);
        }
        if (r.nextBoolean()) out.add(signal(election, branchId, Kind.CLOSED, t + 10 * SECOND, t + 10 * SECOND, null));
        return out;
    }

    static BranchSignal report(Random r, String election, String branchId, long[] report, long eventTime, long heardAt) {
        BranchSignal s = signal(election, branchId, Kind.REPORT, eventTime, heardAt, null);
        s.sequence = ++report[0];
        s.ballotsCast = report[1] += r.nextInt(20);
        return s;
    }

    /**
     * The order in which the signals reach the operator and the watermarks between them: by heard time, shuffled within
     * the watermark's bound; in some runs a few signals are held back past it (late); watermark = max heard - bound - 1.
     */
    static List<Step> arrivals(Random r, List<BranchSignal> signals) {
        long bound = pick(r, 0, 2 * SECOND, 5 * SECOND, 5 * SECOND);
        boolean lateOnes = r.nextBoolean();
        boolean lagging = r.nextInt(8) == 0; // no watermark until the very end
        int watermarkOdds = (int) pick(r, 1, 3, 7); // in 10, after an arrival
        List<long[]> order = new ArrayList<>(); // {arrival, index}
        for (int i = 0; i < signals.size(); i++) {
            BranchSignal s = signals.get(i);
            long arrival = s.heardAt;
            if (lateOnes && r.nextInt(s.kind == Kind.CLOSED ? 3 : 10) == 0) {
                arrival += bound + 1 + (r.nextBoolean() ? r.nextInt(20) * SECOND : r.nextInt(180) * SECOND);
            }
            order.add(new long[] {arrival, i});
        }
        order.sort(Comparator.comparingLong(a -> a[0]));
        for (int i = 0; i < order.size(); i++) {
            int j = i + r.nextInt(Math.min(5, order.size() - i));
            if (Math.abs(order.get(j)[0] - order.get(i)[0]) <= bound) Collections.swap(order, i, j);
        }
        List<Step> steps = new ArrayList<>();
        long maxHeard = Long.MIN_VALUE;
        long watermark = Long.MIN_VALUE;
        for (long[] a : order) {
            BranchSignal s = signals.get((int) a[1]);
            steps.add(new Arrive(s));
            maxHeard = Math.max(maxHeard, s.heardAt);
            if (lagging || r.nextInt(10) >= watermarkOdds) continue;
            long w = maxHeard - bound - 1;
            if (w > watermark || (w == watermark && r.nextInt(20) == 0)) {
                steps.add(new Watermark(w));
                watermark = w;
            }
        }
        int end = r.nextInt(10);
        if (end < 6) steps.add(new Watermark(Long.MAX_VALUE));
        else if (end < 8) steps.add(new Watermark(Math.max(watermark, maxHeard + r.nextInt(20) * MINUTE)));
        return steps;
    }

    /**
     * One or two restarts from a snapshot, often just before a signal that is behind the watermark; mostly the last
     * watermark comes again right after (as a source would send it), else the signals are not late until the next one.
     */
    static void addRestores(Random r, List<Step> steps) {
        int last = steps.size() - (!steps.isEmpty() && steps.get(steps.size() - 1) instanceof Watermark w && w.time() == Long.MAX_VALUE ? 1 : 0);
        for (int n = 1 + r.nextInt(2); n > 0; n--) {
            List<Integer> late = new ArrayList<>();
            long wm = Long.MIN_VALUE;
            for (int i = 0; i < last; i++) {
                Step step = steps.get(i);
                if (step instanceof Watermark w) wm = w.time();
                else if (((Arrive) step).signal().heardAt <= wm) late.add(i);
            }
            int at = !late.isEmpty() && r.nextBoolean() ? late.get(r.nextInt(late.size())) : r.nextInt(last + 1);
            Long watermark = null;
            for (int i = 0; i < at; i++) if (steps.get(i) instanceof Watermark w) watermark = w.time();
            if (watermark != null && r.nextInt(10) < 7) steps.add(at, new Watermark(watermark));
            steps.add(at, new Restore());
            last = at;
        }
    }

    // ---------------------------------------------------------------- running a property

    interface Check {
        /** Null when the run passes, else what went wrong. */
        String mismatch(Run run) throws Exception;
    }

    static String failure(Check check, Run run) {
        try {
            return check.mismatch(run);
        } catch (Exception | AssertionError e) {
            return "threw " + e;
        }
    }

    static void property(String name, int tries, Function<Random, Run> generator, Check check) {
        int n = TRIES != null ? TRIES : tries;
        long started = System.nanoTime();
        int steps = 0;
        for (int i = 0; i < n; i++) {
            long seed = REPLAY != null ? REPLAY : new Random(SEED * 31 + name.hashCode()).nextLong() + i;
            Run run = generator.apply(new Random(seed));
            steps += run.steps.size();
            String problem = failure(check, run);
            if (problem != null) {
                Run small = shrink(run, check);
                fail(name + ": run " + (i + 1) + " of " + n + " (seed " + seed + ", replay with -Doutage.replay=" + seed + ") differs; shrunk from "
                        + run.steps.size() + " to " + small.steps.size() + " steps:\n" + small + failure(check, small)
                        + "\n(the unshrunk run differs in:\n" + problem + ")");
            }
            if (REPLAY != null) break;
        }
        System.out.printf("%s: %d runs, %d steps, %.1f s%n", name, REPLAY != null ? 1 : n, steps, (System.nanoTime() - started) / 1e9);
    }

    /** A smaller run that still fails: whole branches, then chunks of steps, then a simpler configuration. */
    static Run shrink(Run run, Check check) {
        long until = System.nanoTime() + 60_000_000_000L;
        boolean progress = true;
        while (progress && System.nanoTime() < until) {
            progress = false;
            // whole branches
            TreeSet<String> keys = new TreeSet<>();
            for (Step step : run.steps) if (step instanceof Arrive a) keys.add(a.signal().branchKey());
            for (String key : keys) {
                List<Step> fewer = new ArrayList<>();
                for (Step step : run.steps) if (!(step instanceof Arrive a && a.signal().branchKey().equals(key))) fewer.add(step);
                Run candidate = new Run(run.config, fewer);
                if (failure(check, candidate) != null) {
                    run = candidate;
                    progress = true;
                }
            }
            // chunks of steps, halving
            for (int chunk = Math.max(1, run.steps.size() / 2); chunk >= 1 && System.nanoTime() < until; chunk /= 2) {
                for (int from = 0; from < run.steps.size() && System.nanoTime() < until; ) {
                    List<Step> fewer = new ArrayList<>(run.steps.subList(0, from));
                    fewer.addAll(run.steps.subList(Math.min(run.steps.size(), from + chunk), run.steps.size()));
                    Run candidate = new Run(run.config, fewer);
                    if (failure(check, candidate) != null) {
                        run = candidate;
                        progress = true;
                    } else {
                        from += chunk;
                    }
                }
            }
            // the configuration
            Config c = run.config;
            List<Config> simpler = new ArrayList<>();
            if (!c.perLink.isEmpty()) simpler.add(new Config(c.timeout, Map.of(), c.retentionMillis, c.pollsClose, c.grace));
            if (c.retentionMillis != 0) simpler.add(new Config(c.timeout, c.perLink, 0, c.pollsClose, c.grace));
            if (!c.pollsClose.isEmpty()) simpler.add(new Config(c.timeout, c.perLink, c.retentionMillis, Map.of(), c.grace));
            if (c.grace != 0) simpler.add(new Config(c.timeout, c.perLink, c.retentionMillis, c.pollsClose, 0));
            for (Config s : simpler) {
                Run candidate = new Run(s, run.steps);
                if (failure(check, candidate) != null) {
                    run = candidate;
                    progress = true;
                    break;
                }
            }
        }
        return run;
    }
}
