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
        Duration maxClockSkew,
        long maxBranchBallots) implements Serializable {

    public static final long DEFAULT_MAX_BRANCH_BALLOTS = 1_000_000;

    public static TurnoutSettings defaults() {
        return new TurnoutSettings(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMinutes(2), DEFAULT_MAX_BRANCH_BALLOTS);
    }

    public TurnoutGrid grid() {
        return new TurnoutGrid(gridInterval, correctionHorizon);
    }

    public TurnoutSettings withQuietFeedAfter(Duration quiet) {
        return new TurnoutSettings(gridInterval, correctionHorizon, maxOutOfOrderness, quiet, maxClockSkew, maxBranchBallots);
    }

    public TurnoutSettings withMaxOutOfOrderness(Duration bound) {
        return new TurnoutSettings(gridInterval, correctionHorizon, bound, quietFeedAfter, maxClockSkew, maxBranchBallots);
    }

    public TurnoutSettings withCorrectionHorizon(Duration horizon) {
        return new TurnoutSettings(gridInterval, horizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew, maxBranchBallots);
    }
}
