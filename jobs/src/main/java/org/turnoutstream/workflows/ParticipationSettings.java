package org.turnoutstream.workflows;

import org.turnoutstream.participation.Baseline;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How elections are compared with their baselines: the baselines (election id -> what it is compared with; elections
 * without one are not compared) and when a constituency is lagging: more than {@code lagPoints} percentage points behind
 * its baseline for {@code lagFor}.
 */
public record ParticipationSettings(Map<String, Baseline> baselines, double lagPoints, Duration lagFor) implements Serializable {
    public static final double DEFAULT_LAG_POINTS = 5.0;
    public static final Duration DEFAULT_LAG_FOR = Duration.ofMinutes(30);
    public static final double DEFAULT_PROJECTION_AFTER = 0.25;

    public ParticipationSettings {
        baselines = Collections.unmodifiableMap(new TreeMap<>(baselines));
        if (!(lagPoints >= 0)) throw new IllegalArgumentException("--lagging-points must be >= 0: " + lagPoints);
        if (lagFor.isNegative()) throw new IllegalArgumentException("--lagging-for must not be negative: " + lagFor);
    }

    /** No election has a baseline. */
    public static ParticipationSettings none() {
        return new ParticipationSettings(Map.of(), DEFAULT_LAG_POINTS, DEFAULT_LAG_FOR);
    }

    public boolean any() {
        return !baselines.isEmpty();
    }
}
