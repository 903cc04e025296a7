package org.turnoutstream.workflows;

import org.turnoutstream.functions.ConnectivityThresholds;
import org.turnoutstream.functions.FeedWatchdog;
import org.turnoutstream.functions.HeartbeatTimeouts;
import org.turnoutstream.functions.IntegrityRules;
import org.turnoutstream.functions.PollingHours;
import org.turnoutstream.functions.TurnoutGrid;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the outage and alert workflow decides: heartbeat timeouts, constituency thresholds, integrity rules,
 * polling hours, the grid of the constituency_connectivity points, and the watermark policy of the signal
 * stream (out-of-orderness bound; quiet-feed advance, 0 for replays and bounded runs).
 */
public record ConnectivitySettings(
        HeartbeatTimeouts timeouts,
        ConnectivityThresholds thresholds,
        IntegrityRules rules,
        PollingHours hours,
        TurnoutGrid grid,
        Duration maxOutOfOrderness,
        Duration quietFeedAfter,
        Duration maxClockSkew,
        Duration feedSilentAfter) implements Serializable {

    /** Defaults for everything alert-specific; grid and watermark policy as the turnout workflow's. */
    public static ConnectivitySettings defaults(TurnoutSettings turnout) {
        IntegrityRules rules = new IntegrityRules(IntegrityRules.DEFAULT_MAX_BALLOTS_PER_MINUTE, IntegrityRules.DEFAULT_BURST_ALLOWANCE,
                IntegrityRules.DEFAULT_CLOSED_RETENTION, turnout.correctionHorizon());
        return new ConnectivitySettings(HeartbeatTimeouts.defaults(), ConnectivityThresholds.defaults(), rules,
                PollingHours.none(), turnout.grid(), turnout.maxOutOfOrderness(), turnout.quietFeedAfter(), turnout.maxClockSkew(),
                turnout.quietFeedAfter().isZero() ? Duration.ZERO : FeedWatchdog.DEFAULT_SILENT_AFTER);
    }

    public ConnectivitySettings withTimeouts(HeartbeatTimeouts t) {
        return new ConnectivitySettings(t, thresholds, rules, hours, grid, maxOutOfOrderness, quietFeedAfter, maxClockSkew, feedSilentAfter);
    }

    public ConnectivitySettings withThresholds(ConnectivityThresholds t) {
        return new ConnectivitySettings(timeouts, t, rules, hours, grid, maxOutOfOrderness, quietFeedAfter, maxClockSkew, feedSilentAfter);
    }

    /** The processing-time watchdog's silence before FEED_SILENT; zero turns it off (replays: it reads the wall clock). */
    public ConnectivitySettings withFeedSilentAfter(Duration d) {
        return new ConnectivitySettings(timeouts, thresholds, rules, hours, grid, maxOutOfOrderness, quietFeedAfter, maxClockSkew, d);
    }

    public ConnectivitySettings withHours(PollingHours h) {
        return new ConnectivitySettings(timeouts, thresholds, rules, h, grid, maxOutOfOrderness, quietFeedAfter, maxClockSkew, feedSilentAfter);
    }

    public ConnectivitySettings withRules(IntegrityRules r) {
        return new ConnectivitySettings(timeouts, thresholds, r, hours, grid, maxOutOfOrderness, quietFeedAfter, maxClockSkew, feedSilentAfter);
    }
}
