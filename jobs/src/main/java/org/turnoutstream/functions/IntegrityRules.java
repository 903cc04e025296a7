package org.turnoutstream.functions;

import java.io.Serializable;
import java.time.Duration;

/**
 * Thresholds of {@link IntegrityChecks}.
 *
 * <p>IMPLAUSIBLE_RATE: between two consecutive reports (by sequence) a branch's count may grow by at most
 * {@code maxBallotsPerMinute} per minute plus {@code burstAllowance}. The default of 10 ballots a minute is
 * well above what one branch can take: every voter passes one identification desk and one ballot box, which
 * even at full pressure means one voter every 10-20 s (3-6 a minute); a busy branch takes a few hundred
 * ballots in a whole day. The allowance (default 10 ballots) absorbs clock jitter and reports only seconds
 * apart, where any rate looks large.
 *
 * <p>A closed branch's state is kept {@code closedRetention} (event time) after its CLOSED, so reports that
 * arrive after the close are still recognised as REPORTS_AFTER_CLOSE.
 *
 * <p>The trail a branch's reports are judged against reaches {@code trailHorizon} (event time) back from its newest
 * report, the job's correction horizon: a report older than that when it arrives is counted (as the count's horizon
 * says) but not judged, like one below the oldest of the {@value IntegrityState#CAPACITY} kept; the metric
 * {@code integrity_reports_before_trail} counts them. The older reports' highest count is kept, so a regression below
 * it is still found.
 */
public final class IntegrityRules implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_MAX_BALLOTS_PER_MINUTE = 10;
    public static final long DEFAULT_BURST_ALLOWANCE = 10;
    public static final Duration DEFAULT_CLOSED_RETENTION = Duration.ofMinutes(30);
    /** The default correction horizon ({@code --correction-horizon}). */
    public static final Duration DEFAULT_TRAIL_HORIZON = Duration.ofMinutes(10);

    private final double maxBallotsPerMinute;
    private final long burstAllowance;
    private final long closedRetentionMillis;
    private final long trailHorizonMillis;

    public IntegrityRules(double maxBallotsPerMinute, long burstAllowance, Duration closedRetention) {
        this(maxBallotsPerMinute, burstAllowance, closedRetention, DEFAULT_TRAIL_HORIZON);
    }

    public IntegrityRules(double maxBallotsPerMinute, long burstAllowance, Duration closedRetention, Duration trailHorizon) {
        if (!(maxBallotsPerMinute > 0)) throw new IllegalArgumentException("max ballots per minute must be positive: " + maxBallotsPerMinute);
        if (burstAllowance < 0) throw new IllegalArgumentException("burst allowance must not be negative: " + burstAllowance);
        if (closedRetention.isNegative()) throw new IllegalArgumentException("closed retention must not be negative: " + closedRetention);
        if (trailHorizon.isNegative()) throw new IllegalArgumentException("trail horizon must not be negative: " + trailHorizon);
        this.maxBallotsPerMinute = maxBallotsPerMinute;
        this.burstAllowance = burstAllowance;
        this.closedRetentionMillis = closedRetention.toMillis();
        this.trailHorizonMillis = trailHorizon.toMillis();
    }

    public static IntegrityRules defaults() {
        return new IntegrityRules(DEFAULT_MAX_BALLOTS_PER_MINUTE, DEFAULT_BURST_ALLOWANCE, DEFAULT_CLOSED_RETENTION);
    }

    public double maxBallotsPerMinute() { return maxBallotsPerMinute; }
    public long burstAllowance() { return burstAllowance; }
    public long closedRetentionMillis() { return closedRetentionMillis; }
    public long trailHorizonMillis() { return trailHorizonMillis; }

    /** Whether growing by {@code ballots} in {@code millis} is more than a branch can physically take. */
    public boolean implausible(long ballots, long millis) {
        double minutes = Math.max(0, millis) / 60_000.0;
        return ballots > maxBallotsPerMinute * minutes + burstAllowance;
    }
}
