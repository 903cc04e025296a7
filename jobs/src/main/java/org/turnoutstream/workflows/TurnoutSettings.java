package org.turnoutstream.workflows;

import org.turnoutstream.functions.TurnoutGrid;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the turnout workflow counts: its event-time grid, lateness and watermark policy; and, for a live job that starts
 * without restored state, what InfluxDB already holds ({@code publishedUpTo}: per election, its last published instant;
 * see {@link org.turnoutstream.functions.ElectionTally}: a full recount writes those instants only once final, a partial
 * count ({@code rewritePublished} false: it did not start from the beginning of the day) never).
 */
public record TurnoutSettings(
        Duration gridInterval,
        Duration correctionHorizon,
        Duration maxOutOfOrderness,
        Duration quietFeedAfter,
        Duration maxClockSkew,
        long maxBranchBallots,
        Map<String, Long> publishedUpTo,
        boolean rewritePublished,
        ParticipationSettings participation) implements Serializable {

    public TurnoutSettings {
        publishedUpTo = Collections.unmodifiableMap(new TreeMap<>(publishedUpTo));
        java.util.Objects.requireNonNull(participation, "participation");
    }

    /** No baselines. */
    public TurnoutSettings(Duration gridInterval, Duration correctionHorizon, Duration maxOutOfOrderness, Duration quietFeedAfter,
                           Duration maxClockSkew, long maxBranchBallots, Map<String, Long> publishedUpTo, boolean rewritePublished) {
        this(gridInterval, correctionHorizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew, maxBranchBallots, publishedUpTo,
                rewritePublished, ParticipationSettings.none());
    }

    /** Nothing published before: every point is written when computed. */
    public TurnoutSettings(Duration gridInterval, Duration correctionHorizon, Duration maxOutOfOrderness, Duration quietFeedAfter,
                           Duration maxClockSkew, long maxBranchBallots) {
        this(gridInterval, correctionHorizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew, maxBranchBallots, Map.of(), true);
    }

    public static final long DEFAULT_MAX_BRANCH_BALLOTS = 1_000_000;

    public static TurnoutSettings defaults() {
        return new TurnoutSettings(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMinutes(2), DEFAULT_MAX_BRANCH_BALLOTS);
    }

    public TurnoutGrid grid() {
        return new TurnoutGrid(gridInterval, correctionHorizon);
    }

    public TurnoutSettings withQuietFeedAfter(Duration quiet) {
        return new TurnoutSettings(gridInterval, correctionHorizon, maxOutOfOrderness, quiet, maxClockSkew, maxBranchBallots, publishedUpTo, rewritePublished, participation);
    }

    public TurnoutSettings withMaxOutOfOrderness(Duration bound) {
        return new TurnoutSettings(gridInterval, correctionHorizon, bound, quietFeedAfter, maxClockSkew, maxBranchBallots, publishedUpTo, rewritePublished, participation);
    }

    public TurnoutSettings withCorrectionHorizon(Duration horizon) {
        return new TurnoutSettings(gridInterval, horizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew, maxBranchBallots, publishedUpTo, rewritePublished, participation);
    }

    /**
     * The same, for a job that starts without state while InfluxDB holds these elections' series up to these instants;
     * {@code rewrite}: whether its count is complete (from the start of the day) and may write them once final.
     */
    public TurnoutSettings withPublishedUpTo(Map<String, Long> published, boolean rewrite) {
        return new TurnoutSettings(gridInterval, correctionHorizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew, maxBranchBallots,
                published, rewrite, participation);
    }

    /** The same, comparing elections with these baselines. */
    public TurnoutSettings withParticipation(ParticipationSettings comparison) {
        return new TurnoutSettings(gridInterval, correctionHorizon, maxOutOfOrderness, quietFeedAfter, maxClockSkew, maxBranchBallots,
                publishedUpTo, rewritePublished, comparison);
    }
}
