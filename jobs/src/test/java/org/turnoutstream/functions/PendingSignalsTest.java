package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.functions.OutageFixtures.at;
import static org.turnoutstream.functions.OutageFixtures.heartbeat;
import static org.turnoutstream.functions.OutageFixtures.reportSignal;

/** A branch's buffer of signals waiting for the watermark: application order, and memory that follows what it holds. */
class PendingSignalsTest {

    @Test
    void signalsComeOutInHeardOrderWhateverTheArrivalOrder() {
        PendingSignals pending = new PendingSignals();
        assertEquals(0, pending.add(heartbeat(17, at(0, 20))));
        assertEquals(0, pending.add(heartbeat(17, at(0, 10))));
        assertEquals(2, pending.add(reportSignal(17, 3, 30, at(0, 30))));
        assertEquals(at(0, 10), pending.firstHeardAt());
        pending.removeFirst(1);
        assertEquals(at(0, 20), pending.heardAt(0));
        assertEquals(BranchSignal.Kind.REPORT, pending.kind(1));
        pending.removeFirst(5);
        assertTrue(pending.isEmpty());
        assertNull(pending.signals, "an empty buffer holds no array");
    }

    @Test
    void aBurstDoesNotKeepItsMemoryOnceApplied() {
        PendingSignals pending = new PendingSignals();
        for (int i = 0; i < 200; i++) pending.add(heartbeat(17, at(0, i)));
        int burst = pending.signals.length;
        assertTrue(burst >= 200 * PendingSignals.STRIDE);

        pending.removeFirst(190); // the watermark passed most of them: ten left
        assertEquals(10, pending.size);
        assertTrue(pending.signals.length <= 20 * PendingSignals.STRIDE, "shrunk to twice what is left: " + pending.signals.length);
        for (int i = 0; i < 10; i++) assertEquals(at(0, 190 + i), pending.heardAt(i), "in order after the shrink");

        pending.add(heartbeat(17, at(5, 0)));
        assertEquals(11, pending.size);
        assertEquals(at(5, 0), pending.heardAt(10));

        PendingSignals small = new PendingSignals();
        for (int i = 0; i < 8; i++) small.add(heartbeat(17, at(0, i)));
        int before = small.signals.length;
        small.removeFirst(6);
        assertEquals(before, small.signals.length, "a small buffer is left as it is");
        assertEquals(at(0, 6), small.heardAt(0));
        assertEquals(at(0, 7), small.heardAt(1));
    }

    /** The usual case, one signal waiting (a branch's last heartbeat), is kept in the state itself: no array to reach. */
    @Test
    void oneSignalWaitingNeedsNoArray() {
        PendingSignals pending = new PendingSignals();
        pending.add(heartbeat(17, at(0, 10)));
        assertNull(pending.signals);
        pending.add(heartbeat(17, at(0, 20)));
        pending.removeFirst(1);
        assertNull(pending.signals, "one left: kept in the state again");
        assertEquals(at(0, 20), pending.firstHeardAt());
        // an earlier one arriving later goes first, the first moves into the array
        assertEquals(0, pending.add(heartbeat(17, at(0, 15))));
        assertEquals(List.of(at(0, 15), at(0, 20)), List.of(pending.heardAt(0), pending.heardAt(1)));
    }

    /** Against a sorted list: random arrivals (same milliseconds too) and removals keep the application order. */
    @Test
    void keepsTheApplicationOrderOfAList() {
        java.util.Random random = new java.util.Random(3);
        for (int run = 0; run < 300; run++) {
            PendingSignals pending = new PendingSignals();
            List<BranchSignal> model = new java.util.ArrayList<>();
            for (int step = 0; step < 60; step++) {
                if (random.nextInt(4) > 0) {
                    BranchSignal s = random.nextBoolean() ? heartbeat(17, at(0, random.nextInt(20)))
                            : reportSignal(17, random.nextInt(3), random.nextInt(3), at(0, random.nextInt(20)));
                    int at = model.size();
                    while (at > 0 && order(model.get(at - 1), s) > 0) at--;
                    model.add(at, s);
                    assertEquals(at, pending.add(s));
                } else {
                    int n = random.nextInt(model.size() + 2);
                    pending.removeFirst(n);
                    model.subList(0, Math.min(n, model.size())).clear();
                }
                assertEquals(model.size(), pending.size);
                for (int i = 0; i < model.size(); i++) {
                    assertEquals(model.get(i), pending.get(i, model.get(i).election, model.get(i).branchId, model.get(i).constituencyId));
                }
            }
        }
    }

    /** Heard time, then BranchSignal.SAME_TIME_ORDER. */
    private static int order(BranchSignal a, BranchSignal b) {
        int c = Long.compare(a.heardAt, b.heardAt);
        return c != 0 ? c : BranchSignal.SAME_TIME_ORDER.compare(a, b);
    }
}
