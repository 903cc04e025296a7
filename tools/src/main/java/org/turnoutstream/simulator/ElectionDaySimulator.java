package org.turnoutstream.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * Generates a simulated election day, record by record, in send order (non-decreasing
 * {@link SimulatedRecord#sendAtMillis()}). Deterministic: the same plan (reference data and settings,
 * including the seed) always yields the same sequence. Streams: every {@link #iterator()} walks the day
 * afresh, holding only a heap of each branch's next event and the records currently held back (late,
 * reordered, buffered during outages), so a national day of 300M+ records never sits in memory.
 *
 * <p>Per branch: OPENED at polls open; a HEARTBEAT every heartbeat interval; a TurnoutReport every report
 * interval (phase-shifted per branch) with cumulative ballots from the constituency's {@link TurnoutCurve}
 * and sequence 1, 2, 3...; a final report at polls close holding the branch's final count; CLOSED at polls
 * close. In per-ballot mode every ballot is a report instead. During an outage no heartbeats are sent and
 * the reports, with the LINK_DOWN, are sent right after LINK_UP (so are reports held back as late, reordered or
 * duplicated whose send time falls inside the outage). A record's send time is its Kafka timestamp: when the
 * centre hears it.
 */
public final class ElectionDaySimulator implements Iterable<SimulatedRecord> {
    private final ElectionDayPlan plan;

    public ElectionDaySimulator(ElectionDayPlan plan) {
        this.plan = plan;
    }

    public static ElectionDaySimulator of(org.turnoutstream.reference.Election election, SimulationSettings settings) {
        return new ElectionDaySimulator(ElectionDayPlan.plan(election, settings));
    }

    public ElectionDayPlan plan() {
        return plan;
    }

    /** A fresh walk through the whole day. */
    @Override
    public Iterator<SimulatedRecord> iterator() {
        return new Day(plan);
    }

    public Stream<SimulatedRecord> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** A min-heap of longs: (time since opening << 32) | stream id. */
    private static final class LongHeap {
        private long[] a = new long[1024];
        private int size;

        boolean isEmpty() { return size == 0; }
        long peek() { return a[0]; }

        void add(long v) {
            if (size == a.length) a = java.util.Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long last = a[--size];
            if (size > 0) siftDown(last);
            return top;
        }

        /** Replaces the smallest element (cheaper than poll + add). */
        void replaceTop(long v) {
            siftDown(v);
        }

        private void siftDown(long v) {
            int i = 0, half = size >>> 1;
            while (i < half) {
                int c = 2 * i + 1;
                long cv = a[c];
                int r = c + 1;
                if (r < size && a[r] < cv) { c = r; cv = a[r]; }
                if (v <= cv) break;
                a[i] = cv;
                i = c;
            }
            a[i] = v;
        }
    }

    private record Held(long sendAt, long order, SimulatedRecord record) {}

    private static final int CONN_OPENED = 1, CONN_DOWN = 2, CONN_UP = 4, CONN_CLOSED = 8;

    /** One walk through the day. */
    private static final class Day implements Iterator<SimulatedRecord> {
        private final ElectionDayPlan plan;
        private final SimulationSettings s;
        private final long seed, open, close, day, reportInterval, heartbeat;
        private final String election, turnoutTopic, connectivityTopic;
        private final boolean perBallot;
        private final double lateRate, reorderRate, duplicateRate, malformedRate;
        private final List<Branch> branches;
        private final List<Constituency> constituencies;
        private final byte[][] keys;
        private final int[] reportK, heartbeatK;
        private final byte[] connDone;
        private final LongHeap schedule = new LongHeap();
        private final PriorityQueue<Held> held = new PriorityQueue<>((x, y) ->
                x.sendAt != y.sendAt ? Long.compare(x.sendAt, y.sendAt) : Long.compare(x.order, y.order));
        private final ArrayDeque<SimulatedRecord> out = new ArrayDeque<>();
        private long heldOrder;

        Day(ElectionDayPlan plan) {
            this.plan = plan;
            this.s = plan.settings();
            seed = s.daySeed();
            open = plan.pollsOpenMillis();
            close = plan.pollsCloseMillis();
            day = close - open;
            reportInterval = s.reportInterval().toMillis();
            heartbeat = s.heartbeatInterval().toMillis();
            election = s.electionId();
            turnoutTopic = s.turnoutTopic();
            connectivityTopic = s.connectivityTopic();
            perBallot = s.perBallot();
            lateRate = s.faults().late();
            reorderRate = s.faults().reorder();
            duplicateRate = s.faults().duplicate();
            malformedRate = s.faults().malformed();
            branches = plan.branches();
            constituencies = plan.constituencies();
            int n = branches.size();
            keys = new byte[n][];
            reportK = new int[n];
            heartbeatK = new int[n];
            connDone = new byte[n];
            for (int b = 0; b < n; b++) {
                keys[b] = branches.get(b).id().getBytes(StandardCharsets.UTF_8);
                schedule(2L * b + 1, open);                     // OPENED
                long t = reportTime(b, 0);
                if (t >= 0) schedule(2L * b, t);
            }
        }

        private void schedule(long stream, long t) {
            schedule.add(((t - open) << 32) | stream);
        }

        private static long key(long stream, long t, long open) {
            return ((t - open) << 32) | stream;
        }

        @Override
        public boolean hasNext() {
            while (out.isEmpty()) {
                long tSchedule = schedule.isEmpty() ? Long.MAX_VALUE : (schedule.peek() >>> 32) + open;
                long tHeld = held.isEmpty() ? Long.MAX_VALUE : held.peek().sendAt;
                if (tSchedule == Long.MAX_VALUE && tHeld == Long.MAX_VALUE) return false;
                if (tHeld <= tSchedule) {
                    out.add(held.poll().record);
                    continue;
                }
                long stream = schedule.peek() & 0xFFFF_FFFFL;
                int b = (int) (stream >>> 1);
                long next = (stream & 1) == 0 ? report(b, tSchedule) : connectivity(b, tSchedule);
                if (next >= 0) schedule.replaceTop(key(stream, next, open));
                else schedule.poll();
            }
            return true;
        }

        @Override
        public SimulatedRecord next() {
            if (!hasNext()) throw new NoSuchElementException();
            return out.poll();
        }

        private void send(SimulatedRecord r, long now) {
            if (r.sendAtMillis() <= now) out.add(r);
            else held.add(new Held(r.sendAtMillis(), heldOrder++, r));
        }

        // ---- turnout reports

        /** Event time of report k (0-based) of branch b, or -1 when the branch has sent all its reports. */
        private long reportTime(int b, int k) {
            if (perBallot) {
                long voters = plan.votersAt(b);
                if (k >= voters) return -1;
                double jitter = Mix.between(-0.45, 0.45, seed, 401, b, k);
                double x = plan.curveOfBranch(b).dayFractionAt((k + 0.5 + jitter) / voters);
                return Math.min(close, open + Math.round(x * day));
            }
            long offset = plan.reportOffsetMs(b);
            long t = open + offset + (long) k * reportInterval;
            if (t < close) return t;
            long lastRegular = Math.floorDiv(close - open - offset - 1, reportInterval); // last k with t < close
            return k == lastRegular + 1 ? close : -1;
        }

        /** Emits report k of branch b (due at t); returns the time of its next report or -1. */
        private long report(int b, long t) {
            int k = reportK[b]++;
            long ballots = perBallot ? k + 1 : plan.ballotsAt(b, t);
            long sequence = k + 1;
            Branch branch = branches.get(b);
            Instant at = Instant.ofEpochMilli(t);
            TurnoutReport report = new TurnoutReport(election, branch.id(), branch.constituencyId(), sequence, ballots, at);
            long downStart = plan.downStartMs(b);
            if (downStart >= 0 && t >= downStart && t < plan.downEndMs(b)) {
                send(new SimulatedRecord(turnoutTopic, keys[b], report, null, outageFault(b), t, plan.downEndMs(b) + 1), t);
            } else {
                double u = Mix.unit(seed, 601, b, k);
                long sendAt = t;
                FaultKind fault = FaultKind.NONE;
                if (u < lateRate) {
                    sendAt = t + Mix.between(2 * 60_000L, 15 * 60_000L, seed, 602, b, k);
                    fault = FaultKind.LATE;
                } else if (u < lateRate + reorderRate) {
                    long behind = perBallot ? Mix.between(1_000L, 60_000L, seed, 602, b, k)
                            : reportInterval + Mix.between(1L, reportInterval + 1, seed, 602, b, k);
                    sendAt = t + behind;
                    fault = FaultKind.REORDERED;
                }
                send(new SimulatedRecord(turnoutTopic, keys[b], report, null, fault, t, deliverable(b, sendAt)), t);
                if (Mix.unit(seed, 603, b, k) < duplicateRate) {
                    long again = sendAt + Mix.between(100L, 20_000L, seed, 604, b, k);
                    send(new SimulatedRecord(turnoutTopic, keys[b], report, null, FaultKind.DUPLICATE, t, deliverable(b, again)), t);
                }
                if (Mix.unit(seed, 605, b, k) < malformedRate) {
                    FaultKind kind = FaultKind.MALFORMED[(int) (Mix.unit(seed, 606, b, k) * FaultKind.MALFORMED.length)];
                    send(malformed(kind, b, k, report, t), t);
                }
            }
            return reportTime(b, reportK[b]);
        }

        /** A branch cannot deliver while its link is down: what falls inside its outage goes out with the buffered reports. */
        private long deliverable(int b, long sendAt) {
            long ds = plan.downStartMs(b);
            return ds >= 0 && sendAt >= ds && sendAt < plan.downEndMs(b) ? plan.downEndMs(b) + 1 : sendAt;
        }

        private FaultKind outageFault(int b) {
            return plan.downReason(b) == PlannedOutage.Reason.REGION ? FaultKind.REGION_OUTAGE : FaultKind.BRANCH_OUTAGE;
        }

        private SimulatedRecord malformed(FaultKind kind, int b, int k, TurnoutReport valid, long t) {
            Branch branch = branches.get(b);
            long h = Mix.hash(seed, 607, b, k);
            Instant at = valid.getEventTime();
            switch (kind) {
                case BAD_MAGIC_BYTE: {
                    String json = "{\"election\":\"" + election + "\",\"branchId\":\"" + branch.id() + "\",\"sequence\":"
                            + valid.getSequence() + ",\"ballotsCast\":" + valid.getBallotsCast() + ",\"eventTime\":\"" + at + "\"}";
                    return new SimulatedRecord(turnoutTopic, keys[b], null, json.getBytes(StandardCharsets.UTF_8), kind, t, t);
                }
                case CORRUPT_AVRO:
                    return new SimulatedRecord(turnoutTopic, keys[b], new TurnoutReport(election, branch.id(),
                            branch.constituencyId(), valid.getSequence(), valid.getBallotsCast(), at), null, kind, t, t);
                case UNKNOWN_BRANCH: {
                    String id = "sim-unknown-" + Long.toHexString(h & 0xFFFFFFL);
                    return new SimulatedRecord(turnoutTopic, id.getBytes(StandardCharsets.UTF_8), new TurnoutReport(election, id,
                            branch.constituencyId(), valid.getSequence(), valid.getBallotsCast(), at), null, kind, t, t);
                }
                case WRONG_CONSTITUENCY: {
                    int c = plan.constituencyIndexOf(b);
                    String other = constituencies.size() > 1 ? constituencies.get((c + 1) % constituencies.size()).id()
                            : branch.constituencyId() + "-elsewhere";
                    return new SimulatedRecord(turnoutTopic, keys[b], new TurnoutReport(election, branch.id(),
                            other, valid.getSequence(), valid.getBallotsCast(), at), null, kind, t, t);
                }
                case NEGATIVE_COUNT:
                    return new SimulatedRecord(turnoutTopic, keys[b], new TurnoutReport(election, branch.id(),
                            branch.constituencyId(), valid.getSequence(), -1 - Math.floorMod(h, 500L), at), null, kind, t, t);
                default:
                    throw new IllegalArgumentException("not a malformed kind: " + kind);
            }
        }

        // ---- connectivity

        private long nextHeartbeat(int b) {
            long offset = plan.heartbeatOffsetMs(b);
            long t = open + offset + (long) heartbeatK[b] * heartbeat;
            long ds = plan.downStartMs(b), de = plan.downEndMs(b);
            if (ds >= 0 && t >= ds && t < de) {
                heartbeatK[b] = (int) Math.max(heartbeatK[b], -Math.floorDiv(-(de - open - offset), heartbeat));
                t = open + offset + (long) heartbeatK[b] * heartbeat;
            }
            return t < close ? t : -1;
        }

        /** The next connectivity event of b: kind in bits 0-3 (CONN_* or 0 for a heartbeat) is implied by time ties. */
        private long nextConnectivityTime(int b) {
            int done = connDone[b];
            if ((done & CONN_OPENED) == 0) return open;
            long best = Long.MAX_VALUE;
            long ds = plan.downStartMs(b);
            if (ds >= 0 && (done & CONN_DOWN) == 0) best = Math.min(best, ds);
            if (ds >= 0 && (done & CONN_UP) == 0) best = Math.min(best, plan.downEndMs(b));
            long hb = nextHeartbeat(b);
            if (hb >= 0) best = Math.min(best, hb);
            if ((done & CONN_CLOSED) == 0) best = Math.min(best, close);
            return best == Long.MAX_VALUE ? -1 : best;
        }

        /** Emits the connectivity event of b due at t (OPENED, LINK_DOWN, LINK_UP, HEARTBEAT, CLOSED in that order on ties). */
        private long connectivity(int b, long t) {
            int done = connDone[b];
            LinkProfile link = plan.link(b);
            long ds = plan.downStartMs(b), de = plan.downEndMs(b);
            if ((done & CONN_OPENED) == 0) {
                connDone[b] |= CONN_OPENED;
                sendConnectivity(b, ConnectivityKind.OPENED, t, t, FaultKind.NONE, link.rtt(Mix.unit(seed, 501, b, -1)));
            } else if (ds == t && (done & CONN_DOWN) == 0) {
                connDone[b] |= CONN_DOWN;
                // the gateway logs the loss and delivers it with the first traffic after recovery
                sendConnectivity(b, ConnectivityKind.LINK_DOWN, t, de, outageFault(b), null);
            } else if (ds >= 0 && de == t && (done & CONN_UP) == 0) {
                connDone[b] |= CONN_UP;
                sendConnectivity(b, ConnectivityKind.LINK_UP, t, t, FaultKind.NONE, link.rtt(Mix.unit(seed, 501, b, -2)));
            } else if (nextHeartbeat(b) == t) {
                int k = heartbeatK[b]++;
                sendConnectivity(b, ConnectivityKind.HEARTBEAT, t, t, FaultKind.NONE, link.rtt(Mix.unit(seed, 501, b, k)));
            } else {
                connDone[b] |= CONN_CLOSED;
                sendConnectivity(b, ConnectivityKind.CLOSED, t, t, FaultKind.NONE, null);
            }
            return nextConnectivityTime(b);
        }

        private void sendConnectivity(int b, ConnectivityKind kind, long eventTime, long sendAt, FaultKind fault, Integer rtt) {
            Branch branch = branches.get(b);
            ConnectivityEvent e = new ConnectivityEvent(election, branch.id(), branch.constituencyId(),
                    Instant.ofEpochMilli(eventTime), kind, plan.link(b).type(), rtt);
            send(new SimulatedRecord(connectivityTopic, keys[b], e, null, fault, eventTime, sendAt), eventTime);
        }
    }
}
