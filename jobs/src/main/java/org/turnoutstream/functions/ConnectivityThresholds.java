package org.turnoutstream.functions;

import java.io.Serializable;

/**
 * When a constituency counts as degraded: more than {@code degradedShare} of its open branches down at
 * once, and at least {@code minOpenBranches} open (so two branches of a tiny constituency do not page HQ).
 * It recovers when the share falls to {@code recoveredShare} or below (or fewer than the minimum are open).
 * With {@code recoveredShare == degradedShare} (the default) this is the plain threshold; a lower
 * {@code recoveredShare} adds hysteresis against a constituency flapping around the threshold.
 */
public final class ConnectivityThresholds implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final double DEFAULT_SHARE = 0.3;
    public static final int DEFAULT_MIN_OPEN = 3;

    private final double degradedShare;
    private final double recoveredShare;
    private final int minOpenBranches;

    public ConnectivityThresholds(double degradedShare, double recoveredShare, int minOpenBranches) {
        if (!(degradedShare >= 0 && degradedShare < 1)) throw new IllegalArgumentException("degraded share must be in [0, 1): " + degradedShare);
        if (!(recoveredShare >= 0 && recoveredShare <= degradedShare)) {
            throw new IllegalArgumentException("recovered share must be in [0, degraded share]: " + recoveredShare);
        }
        if (minOpenBranches < 1) throw new IllegalArgumentException("minimum open branches must be at least 1: " + minOpenBranches);
        this.degradedShare = degradedShare;
        this.recoveredShare = recoveredShare;
        this.minOpenBranches = minOpenBranches;
    }

    public static ConnectivityThresholds defaults() {
        return new ConnectivityThresholds(DEFAULT_SHARE, DEFAULT_SHARE, DEFAULT_MIN_OPEN);
    }

    public double degradedShare() { return degradedShare; }
    public double recoveredShare() { return recoveredShare; }
    public int minOpenBranches() { return minOpenBranches; }

    /** Whether {@code down} of {@code open} branches down makes a constituency that is not degraded degraded. */
    public boolean degrades(int open, int down) {
        return open >= minOpenBranches && down > degradedShare * open;
    }

    /** Whether a degraded constituency with {@code down} of {@code open} branches down has recovered. */
    public boolean recovers(int open, int down) {
        return open < minOpenBranches || down <= recoveredShare * open;
    }
}
