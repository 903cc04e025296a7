package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.functions.BranchStatusChange.Transition;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What {@link BranchOutageDetector} does, written out plainly for the differential test: no Flink, no timers, one
 * loop over a whole run. It shares nothing with the detector but the data classes.
 *
 * <p>A run is a list of {@link Step}s. Each branch (election and branch) is on its own: it has a committed state
 * (none until its first signal, none again once dropped) and the signals that arrived ahead of the watermark, waiting.
 * <ul>
 *   <li>A signal for a closed branch is ignored. A signal heard after the watermark waits. One heard at or before the
 *       watermark is late: applied at once, and if it is older than the branch's last change it changes nothing but
 *       lastHeard (and the link).</li>
 *   <li>When the watermark moves to W, everything due up to W happens in time order: the waiting signals (by heard time;
 *       within one millisecond in {@link BranchSignal#SAME_TIME_ORDER}, then arrival order), the heartbeat deadline
 *       (lastHeard + the timeout of the link, set when the branch was last heard while up) and the cleanup (the end of
 *       the election, or a closed branch's close + retention). A deadline or cleanup happens only strictly before the
 *       next waiting signal's time (a signal at exactly the deadline is in time); a deadline at or before the cleanup
 *       goes first. A deadline or end of election that a late signal made due waits for the next watermark.</li>
 *   <li>The cleanup of an open branch closes it (a CLOSED change at the end of the election, reason POLLS_CLOSED); either way the state and
 *       whatever was waiting are dropped, and a later signal opens the branch anew.</li>
 * </ul>
 */
final class OutageReferenceModel {

    sealed interface Step permits Arrive, Watermark, Restore {}

    /** A signal reaches the operator. */
    record Arrive(BranchSignal signal) implements Step {}

    /** The watermark moves to {@code time} (never backwards). */
    record Watermark(long time) implements Step {}

    /**
     * The job restarts from a snapshot taken here: state, waiting signals, due times and the watermark survive (the
     * detector's operator keeps its watermark in the checkpoint), so a restart changes nothing.
     */
    record Restore() implements Step {}

    private final HeartbeatTimeouts timeouts;
    private final long retention;
    private final PollingHours hours;

    OutageReferenceModel(HeartbeatTimeouts timeouts, Duration closedRetention, PollingHours hours) {
        this.timeouts = timeouts;
        this.retention = closedRetention.toMillis();
        this.hours = hours;
    }

    /** One branch's committed state. */
    private static final class State {
        String election;
        String branchId;
        String constituencyId; // of the signal that opened it
        boolean up = true;
        boolean closed;
        Long downSince;        // while down
        long lastHeard;
        long lastChange;       // time of the last change emitted
        LinkType link;         // the last link reported (null: unknown)
        Long deadline;         // while up: silence until then is fine, after it is an outage
        Long cleanup;          // when the state is dropped
    }

    private static final class Branch {
        State state;
        final List<BranchSignal> waiting = new ArrayList<>(); // in arrival order
        final List<BranchStatusChange> out = new ArrayList<>();
    }

    private final Map<String, Branch> branches = new LinkedHashMap<>();

    /** The changes of each branch (by {@link BranchSignal#branchKey()}), in order, for the whole run. */
    static Map<String, List<BranchStatusChange>> run(HeartbeatTimeouts timeouts, Duration closedRetention, PollingHours hours,
                                                     List<Step> steps) {
        OutageReferenceModel model = new OutageReferenceModel(timeouts, closedRetention, hours);
        model.play(steps);
        Map<String, List<BranchStatusChange>> out = new LinkedHashMap<>();
        model.branches.forEach((key, b) -> out.put(key, b.out));
        return out;
    }

    /** True when no branch has any state or waiting signal left (everything was dropped). */
    static boolean nothingLeft(HeartbeatTimeouts timeouts, Duration closedRetention, PollingHours hours, List<Step> steps) {
        OutageReferenceModel model = new OutageReferenceModel(timeouts, closedRetention, hours);
        model.play(steps);
        return model.branches.values().stream().allMatch(b -> b.state == null && b.waiting.isEmpty());
    }

    private void play(List<Step> steps) {
        long watermark = Long.MIN_VALUE;
        for (Step step : steps) {
            if (step instanceof Arrive arrive) {
                BranchSignal s = arrive.signal();
                Branch b = branches.computeIfAbsent(s.branchKey(), k -> new Branch());
                if (b.state != null && b.state.closed) continue;          // after CLOSED: ignored
                if (s.heardAt > watermark) {
                    b.waiting.add(s);                                      // waits for the watermark
                    continue;
                }
                apply(b, s, true);                                         // late: at once
                if (b.state.closed && b.state.cleanup <= watermark) drop(b); // a late CLOSED whose retention has passed
            } else if (step instanceof Watermark w) {
                watermark = w.time();
                for (Branch b : branches.values()) advance(b, watermark);
            }
            // Restore: nothing to do, everything survives the restart
        }
    }

    /** Everything due up to the watermark, in time order. */
    private void advance(Branch b, long watermark) {
        while (true) {
            long next = Long.MAX_VALUE;                                    // the earliest waiting signal
            for (BranchSignal s : b.waiting) next = Math.min(next, s.heardAt);
            State st = b.state;
            if (st != null && st.deadline != null && due(st.deadline, watermark, next)
                    && (st.cleanup == null || st.deadline <= st.cleanup)) {
                goDown(b, st.deadline, st.lastHeard, AlertReason.HEARTBEAT_TIMEOUT);
                continue;
            }
            if (st != null && st.cleanup != null && due(st.cleanup, watermark, next)) {
                if (!st.closed) close(b, st.cleanup, AlertReason.POLLS_CLOSED); // the end of the election
                drop(b);
                continue;
            }
            if (b.waiting.isEmpty() || next > watermark) return;
            List<BranchSignal> now = new ArrayList<>();
            for (BranchSignal s : b.waiting) if (s.heardAt == next) now.add(s);
            b.waiting.removeAll(now);
            now.sort(BranchSignal.SAME_TIME_ORDER);                         // stable: ties stay in arrival order
            for (BranchSignal s : now) {
                if (b.state != null && b.state.closed) continue;            // after CLOSED in the same millisecond
                apply(b, s, false);
            }
        }
    }

    /** Due at this watermark: reached, and before the next waiting signal. */
    private static boolean due(long time, long watermark, long nextSignal) {
        return time <= watermark && time < nextSignal;
    }

    private void apply(Branch b, BranchSignal s, boolean late) {
        long t = s.heardAt;
        if (b.state == null) {
            State st = new State();
            st.election = s.election;
            st.branchId = s.branchId;
            st.constituencyId = s.constituencyId;
            st.lastHeard = t;
            st.lastChange = t;
            OptionalLong end = hours.endOf(s.election);
            st.cleanup = end.isPresent() ? end.getAsLong() : null;
            b.state = st;
            emit(b, t, Transition.OPENED, null, null);
        }
        State st = b.state;
        if (s.link != null) st.link = s.link;
        boolean stale = late && t < st.lastChange;
        switch (s.kind) {
            case OPENED, REPORT, HEARTBEAT, LINK_UP -> {
                st.lastHeard = Math.max(st.lastHeard, t);
                if (!st.up && !stale) {
                    emit(b, t, Transition.UP, st.downSince, upReason(s.kind));
                    st.up = true;
                    st.downSince = null;
                    st.lastChange = t;
                }
                if (st.up) st.deadline = st.lastHeard + timeouts.millisFor(st.link);
            }
            case LINK_DOWN -> {
                // down since the branch says, but not before it was last heard, nor after now
                long since = Math.min(t, Math.max(st.lastHeard, s.eventTime));
                st.lastHeard = Math.max(st.lastHeard, t);
                if (st.up && !stale) goDown(b, t, since, AlertReason.LINK_DOWN);
                else if (st.up) st.deadline = st.lastHeard + timeouts.millisFor(st.link);
            }
            case CLOSED -> {
                if (stale) return;
                close(b, t, AlertReason.CLOSED);
                b.waiting.clear();
                st.cleanup = t + retention;
            }
        }
    }

    private void goDown(Branch b, long time, long since, AlertReason reason) {
        State st = b.state;
        st.up = false;
        st.deadline = null;
        st.downSince = since;
        st.lastChange = time;
        emit(b, time, Transition.DOWN, since, reason);
    }

    private void close(Branch b, long time, AlertReason reason) {
        State st = b.state;
        emit(b, time, Transition.CLOSED, st.up ? null : st.downSince, reason);
        st.closed = true;
        st.up = false;
        st.deadline = null;
        st.downSince = null;
        st.lastChange = time;
    }

    private static void drop(Branch b) {
        b.state = null;
        b.waiting.clear();
    }

    private static void emit(Branch b, long time, Transition transition, Long downSince, AlertReason reason) {
        State st = b.state;
        boolean up = transition == Transition.OPENED || transition == Transition.UP;
        boolean open = transition != Transition.CLOSED;
        b.out.add(new BranchStatusChange(st.election, st.branchId, st.constituencyId, time, transition, up, open, downSince, reason));
    }

    private static AlertReason upReason(BranchSignal.Kind kind) {
        return switch (kind) {
            case LINK_UP -> AlertReason.LINK_UP;
            case REPORT -> AlertReason.REPORT;
            default -> AlertReason.HEARTBEAT; // HEARTBEAT and OPENED
        };
    }
}
