package org.turnoutstream.simulator;

import java.util.concurrent.locks.LockSupport;

/**
 * When to send the next record: {@link #speed} follows the simulated clock (N simulated seconds per wall
 * second), {@link #rate} sends a fixed number of records per second in schedule order, {@link #max} does
 * not wait at all.
 */
public interface Pacer {
    /** Blocks until the record with this simulated send time, the {@code index}-th of the run, may go. */
    void await(long sendAtMillis, long index);

    static Pacer max() {
        return (sendAt, index) -> { };
    }

    /** @param speed simulated seconds per wall second, e.g. 120 plays 12 hours in 6 minutes */
    static Pacer speed(double speed, long simulatedStartMillis) {
        if (!(speed > 0)) throw new IllegalArgumentException("speed must be positive: " + speed);
        long wallStart = System.nanoTime();
        return (sendAt, index) -> sleepUntil(wallStart + (long) ((sendAt - simulatedStartMillis) * 1_000_000.0 / speed));
    }

    /** @param eventsPerSecond records per wall second */
    static Pacer rate(double eventsPerSecond) {
        if (!(eventsPerSecond > 0)) throw new IllegalArgumentException("rate must be positive: " + eventsPerSecond);
        long wallStart = System.nanoTime();
        return (sendAt, index) -> sleepUntil(wallStart + (long) (index * 1_000_000_000.0 / eventsPerSecond));
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        // sleep only when at least 1 ms ahead: records due within the same millisecond go out as a burst
        while (wait > 1_000_000) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = nanoTime - System.nanoTime();
        }
    }
}
