package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.testing.NoGenericTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedWatchdogTest {
    static final Duration SILENT_AFTER = Duration.ofMinutes(2);
    static final long WALL = 1_700_000_000_000L; // processing time
    static final long EVENT = Instant.parse("2024-03-01T05:00:00Z").toEpochMilli(); // event time
    static final long SECOND = 1_000;

    KeyedOneInputStreamOperatorTestHarness<String, BranchSignal, BranchAlert> harness;

    @BeforeEach
    void start() throws Exception {
        harness = NoGenericTypes.forKeyedProcessFunction(
                FeedWatchdog.onSignals(SILENT_AFTER), s -> s.election, Types.STRING);
        harness.setProcessingTime(WALL);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static BranchSignal signal(String election, long eventTime) {
        return new BranchSignal(election, "B-1", "C-1", eventTime, BranchSignal.Kind.HEARTBEAT, null);
    }

    void send(String election, long eventTime) throws Exception {
        harness.processElement(signal(election, eventTime), eventTime);
    }

    List<BranchAlert> wallClock(long millisSinceStart) throws Exception {
        harness.setProcessingTime(WALL + millisSinceStart);
        List<BranchAlert> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void silenceGivesOneFeedSilentAndTheNextEventOneFeedResumed() throws Exception {
        send("e1", EVENT);
        send("e1", EVENT + 10 * SECOND);
        send("e1", EVENT + 5 * SECOND); // out of order: the latest event time counts
        assertEquals(List.of(), wallClock(120 * SECOND - 1), "just under silentAfter is not silent");

        List<BranchAlert> silent = wallClock(120 * SECOND);
        assertEquals(1, silent.size(), silent.toString());
        BranchAlert alert = silent.get(0);
        assertEquals(AlertKind.FEED_SILENT, alert.getKind());
        assertEquals(AlertReason.NO_EVENTS, alert.getReason());
        assertEquals("e1", alert.getElection());
        assertNull(alert.getBranchId());
        assertEquals("", alert.getConstituencyId());
        assertEquals(Instant.ofEpochMilli(EVENT + 10 * SECOND), alert.getStartedAt(), "startedAt is the last event time seen");
        assertNull(alert.getEndedAt());
        assertEquals(AlertIds.of("e1", AlertKind.FEED_SILENT, "feed", EVENT + 10 * SECOND), alert.getAlertId());
        assertTrue(alert.getDetail().contains("no events for election e1"), alert.getDetail());

        assertEquals(List.of(), wallClock(30 * 60 * SECOND), "one alert per episode, however long it lasts");
        assertEquals(0, harness.numProcessingTimeTimers(), "no timer while silent");

        send("e1", EVENT + 31 * 60 * SECOND);
        List<BranchAlert> resumed = wallClock(30 * 60 * SECOND);
        assertEquals(1, resumed.size(), resumed.toString());
        BranchAlert back = resumed.get(0);
        assertEquals(AlertKind.FEED_RESUMED, back.getKind());
        assertEquals(AlertReason.RECOVERED, back.getReason());
        assertEquals(Instant.ofEpochMilli(EVENT + 10 * SECOND), back.getStartedAt());
        assertEquals(Instant.ofEpochMilli(EVENT + 31 * 60 * SECOND), back.getEndedAt());
        assertNotEquals(alert.getAlertId(), back.getAlertId());

        send("e1", EVENT + 31 * 60 * SECOND + 1);
        assertEquals(List.of(), wallClock(30 * 60 * SECOND + 1), "no second FEED_RESUMED");

        // a second episode gets its own FEED_SILENT
        List<BranchAlert> again = wallClock(32 * 60 * SECOND + 1);
        assertEquals(1, again.size(), again.toString());
        assertEquals(AlertKind.FEED_SILENT, again.get(0).getKind());
        assertEquals(Instant.ofEpochMilli(EVENT + 31 * 60 * SECOND + 1), again.get(0).getStartedAt());
    }

    @Test
    void continuousTrafficGivesNothingAndKeepsOneTimer() throws Exception {
        for (int i = 0; i < 1_000; i++) {
            long t = i * SECOND; // an event every second of wall clock for ~17 minutes
            harness.setProcessingTime(WALL + t);
            send("e1", EVENT + t);
            send("e2", EVENT + t);
            assertTrue(harness.numProcessingTimeTimers() <= 2, "one timer per key, not one per event: " + harness.numProcessingTimeTimers());
        }
        assertEquals(List.of(), harness.extractOutputValues());
        assertEquals(2, harness.numProcessingTimeTimers());

        // then e2 stops while e1 goes on
        for (int i = 1_000; i < 1_200; i++) {
            harness.setProcessingTime(WALL + i * SECOND);
            send("e1", EVENT + i * SECOND);
        }
        List<BranchAlert> out = wallClock(1_200 * SECOND);
        assertEquals(1, out.size(), out.toString());
        assertEquals("e2", out.get(0).getElection());
        assertEquals(AlertKind.FEED_SILENT, out.get(0).getKind());
        assertEquals(Instant.ofEpochMilli(EVENT + 999 * SECOND), out.get(0).getStartedAt());
        assertEquals(1, harness.numProcessingTimeTimers(), "only e1's timer is left");
    }

    @Test
    void theSameInputGivesTheSameIds() throws Exception {
        send("e1", EVENT);
        String first = wallClock(120 * SECOND).get(0).getAlertId();
        harness.close();
        start();
        harness.setProcessingTime(WALL + 5_000_000); // a replay at another wall time
        send("e1", EVENT);
        harness.setProcessingTime(WALL + 5_000_000 + 120 * SECOND);
        assertEquals(first, harness.extractOutputValues().get(0).getAlertId());
    }

    @Test
    void silentAfterMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> FeedWatchdog.onSignals(Duration.ZERO));
        assertEquals(Duration.ofMinutes(2), FeedWatchdog.onSignals().silentAfter());
    }
}
