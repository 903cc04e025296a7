package org.turnoutstream.simulator;

/**
 * How often each fault is injected. Per valid report sent on time: {@code duplicate} (an extra copy),
 * {@code reorder} (held behind later reports), {@code late} (held back for minutes) and {@code malformed}
 * (an extra bad record next to it). Per branch: {@code outage} (one LINK_DOWN..LINK_UP window during the
 * day). Per constituency: {@code regionOutage} (all its branches silent for one window).
 */
public record FaultRates(double duplicate, double reorder, double late, double malformed, double outage, double regionOutage) {
    public static final FaultRates NONE = new FaultRates(0, 0, 0, 0, 0, 0);
    /** A plausible bad day: what the CLI uses unless told otherwise. */
    public static final FaultRates DEFAULT = new FaultRates(0.01, 0.01, 0.005, 0.001, 0.02, 0.02);

    public FaultRates {
        check("duplicate", duplicate);
        check("reorder", reorder);
        check("late", late);
        check("malformed", malformed);
        check("outage", outage);
        check("regionOutage", regionOutage);
        if (reorder + late > 1) throw new IllegalArgumentException("reorder + late rates exceed 1");
    }

    private static void check(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException(name + " rate must be in [0, 1]: " + rate);
    }

    public FaultRates withDuplicate(double v) { return new FaultRates(v, reorder, late, malformed, outage, regionOutage); }
    public FaultRates withReorder(double v) { return new FaultRates(duplicate, v, late, malformed, outage, regionOutage); }
    public FaultRates withLate(double v) { return new FaultRates(duplicate, reorder, v, malformed, outage, regionOutage); }
    public FaultRates withMalformed(double v) { return new FaultRates(duplicate, reorder, late, v, outage, regionOutage); }
    public FaultRates withOutage(double v) { return new FaultRates(duplicate, reorder, late, malformed, v, regionOutage); }
    public FaultRates withRegionOutage(double v) { return new FaultRates(duplicate, reorder, late, malformed, outage, v); }
}
