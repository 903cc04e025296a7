package org.turnoutstream.functions;

/** One constituency's state in {@link ParticipationLagging}: how far its points were judged and its current lag. */
public class LagEpisode {
    public static final long NONE = Long.MIN_VALUE;

    /** The latest instant judged: a point at or before it is a rewrite, not news. */
    public long lastInstant = NONE;
    /** The first instant of the current run of points behind the baseline by more than the threshold; NONE when not behind. */
    public long behindSince = NONE;
    /** Whether PARTICIPATION_LAGGING was raised for the current run. */
    public boolean raised;
    /**
     * A recount (a job started without state while InfluxDB held this election's points): instants up to here were judged
     * and alerted by the run before it; they are judged again without alerts, to know where the episode stands. NONE: none.
     */
    public long silentUpTo = NONE;
    /** No instant is judged before the watermark reaches this (a recount: when the tally writes the instants it held back). */
    public long judgeFrom = NONE;

    public LagEpisode() {}
}
