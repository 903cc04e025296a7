package org.turnoutstream.workflows;

import org.turnoutstream.functions.TurnoutGrid;

import java.io.Serializable;
import java.time.Duration;

/** How the turnout workflow counts: its event-time grid, lateness and watermark policy. */
public record TurnoutSettings(
        Duration gridInterval,
        Duration correctionHorizon,
        Duration maxOutOfOrderness,
        Duration quietFeedAfter,
        Duration maxClockSkew) implements Serializable {

    public static TurnoutSettings defaults() {
        return new TurnoutSettings(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMinutes(10));
    }

    public TurnoutGrid grid() {
        return new TurnoutGrid(gridInterval, correctionHorizon);
    }

    public TurnoutSettings withQuietFeedAfter(Duration quiet) {
        return new TurnoutSettings(gridInterval, correctionHorizon, maxOutOfOrderness, quiet, maxClockSkew);
    }

    public TurnoutSettings withMaxOutOfOrderness(Duration bound) {
        return new TurnoutSettings(gridInterval, correctionHorizon, bound, quietFeedAfter, maxClockSkew);
    }

    public TurnoutSettings withCorrectionHorizon(Duration horizon) {
        return new TurnoutSettings(gridInterval, horizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew);
    }
}
