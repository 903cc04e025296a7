package org.turnoutstream.workflows;

import org.turnoutstream.participation.Baseline;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How elections are compared with their baselines: the baselines (election id -> what it is compared with; elections
 * without one are not compared), when a constituency is lagging: more than {@code lagPoints} percentage points behind
 * its baseline for {@code lagFor}, and when an election is over for its lagging alerts: {@code endGrace} (--polls-close-grace)
 * after its polls close.
 */
public record ParticipationSettings(Map<String, Baseline> baselines, double lagPoints, Duration lagFor, Duration endGrace) implements Serializable {
    public ParticipationSettings {
        baselines = Collections.unmodifiableMap(new TreeMap<>(baselines));
        if (!(lagPoints >= 0)) throw new IllegalArgumentException("--lagging-points must be >= 0: " + lagPoints);
        if (lagFor.isNegative()) throw new IllegalArgumentException("--lagging-for must not be negative: " + lagFor);
        if (endGrace.isNegative()) throw new IllegalArgumentException("--polls-close-grace must not be negative: " + endGrace);
    }

    /** No election has a baseline. */
    public static ParticipationSettings none() {
        return new ParticipationSettings(Map.of(), 0, Duration.ZERO, Duration.ZERO);
    }

    public boolean any() {
        return !baselines.isEmpty();
    }

    /** Per election with a baseline, when it is over for alerting: its polls close plus {@code endGrace}. */
    public Map<String, Long> ends() {
        Map<String, Long> ends = new TreeMap<>();
        baselines.forEach((election, baseline) -> ends.put(election, baseline.pollsClose().plus(endGrace).toEpochMilli()));
        return ends;
    }
}
