package org.turnoutstream.functions;

import java.io.Serializable;
import java.time.Duration;

/**
 * The fixed event-time grid on which turnout points are written. The point at instant T holds the
 * totals as of T, so a report counted at time t first shows in the point at {@link #instantFor(long)}.
 */
public final class TurnoutGrid implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long intervalMillis;
    private final long correctionHorizonMillis;

    public TurnoutGrid(Duration interval, Duration correctionHorizon) {
        if (interval.toMillis() <= 0) throw new IllegalArgumentException("grid interval must be positive: " + interval);
        if (correctionHorizon.isNegative()) throw new IllegalArgumentException("correction horizon must not be negative");
        this.intervalMillis = interval.toMillis();
        this.correctionHorizonMillis = correctionHorizon.toMillis();
    }

    public long intervalMillis() { return intervalMillis; }

    public long correctionHorizonMillis() { return correctionHorizonMillis; }

    /** The first grid instant T with T >= eventTime: the first point that includes a report counted at eventTime. */
    public long instantFor(long eventTime) {
        long floor = Math.floorDiv(eventTime, intervalMillis) * intervalMillis;
        return floor == eventTime ? floor : floor + intervalMillis;
    }

    /** The last grid instant at or before the given time. */
    public long instantAtOrBefore(long time) {
        return Math.floorDiv(time, intervalMillis) * intervalMillis;
    }
}
