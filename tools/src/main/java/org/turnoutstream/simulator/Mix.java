package org.turnoutstream.simulator;

/**
 * Stateless, seeded randomness (SplitMix64 finalizer over the inputs). Every decision of the simulator is
 * a pure function of (seed, what, who, which), so the generated day does not depend on the order in which
 * branches happen to be visited, and the same seed always gives the same day.
 */
final class Mix {
    private Mix() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long hash(long seed, long purpose, long a, long b) {
        long h = mix(seed + 0x9E3779B97F4A7C15L);
        h = mix(h ^ (purpose * 0xD1B54A32D192ED03L));
        h = mix(h ^ (a * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
        return mix(h ^ (b * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L));
    }

    /** Uniform in [0, 1). */
    static double unit(long seed, long purpose, long a, long b) {
        return (hash(seed, purpose, a, b) >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [lo, hi). */
    static double between(double lo, double hi, long seed, long purpose, long a, long b) {
        return lo + (hi - lo) * unit(seed, purpose, a, b);
    }

    /** Uniform in [lo, hi) for longs; hi > lo. */
    static long between(long lo, long hi, long seed, long purpose, long a, long b) {
        return lo + (long) (unit(seed, purpose, a, b) * (hi - lo));
    }
}
