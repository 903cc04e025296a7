package org.turnoutstream.functions;

/** One constituency's connectivity inside {@link ConstituencyConnectivity}. */
public class ConstituencyConnectivityState {
    public static final long NONE = Long.MIN_VALUE;

    public int open;
    public int down;
    public boolean degraded;
    public long degradedSince = NONE;
    /** The next grid instant a connectivity point is due at; NONE before the first change. */
    public long nextInstant = NONE;

    public ConstituencyConnectivityState() {}
}
