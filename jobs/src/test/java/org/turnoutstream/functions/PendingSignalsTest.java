package org.turnoutstream.functions;

import org.junit.jupiter.api.Test;

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
        small.removeFirst(7);
        assertEquals(before, small.signals.length, "a small buffer is left as it is");
        assertEquals(at(0, 7), small.heardAt(0));
    }
}
