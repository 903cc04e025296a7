package org.turnoutstream.simulator;

import org.turnoutstream.schemas.LinkType;

/** A branch's uplink and its round-trip time range (milliseconds), from which heartbeats draw their rtt. */
public record LinkProfile(LinkType type, int minRttMillis, int maxRttMillis) {
    public static final LinkProfile FIBER = new LinkProfile(LinkType.FIBER, 4, 25);
    public static final LinkProfile DSL = new LinkProfile(LinkType.DSL, 18, 70);
    public static final LinkProfile MOBILE = new LinkProfile(LinkType.MOBILE, 45, 300);
    public static final LinkProfile SATELLITE = new LinkProfile(LinkType.SATELLITE, 550, 900);

    /** Seeded pick: 35 % fiber, 30 % DSL, 30 % mobile, 5 % satellite. */
    static LinkProfile pick(double u) {
        if (u < 0.35) return FIBER;
        if (u < 0.65) return DSL;
        if (u < 0.95) return MOBILE;
        return SATELLITE;
    }

    int rtt(double u) {
        return minRttMillis + (int) (u * (maxRttMillis - minRttMillis + 1));
    }
}
