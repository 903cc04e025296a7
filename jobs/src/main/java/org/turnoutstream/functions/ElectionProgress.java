package org.turnoutstream.functions;

/** How far an election's points have been written. */
public class ElectionProgress {
    /** True once the first grid instant was emitted. */
    public boolean started;
    /** The last grid instant emitted. */
    public long frontier = Long.MIN_VALUE;
    /** The latest grid instant any report reaches: points are written up to here, no further. */
    public long lastInstant = Long.MIN_VALUE;
    /**
     * Instants up to here were published by an earlier run (this job started without state and recounts): their points
     * are written only once final, when the watermark passes it plus the correction horizon. Long.MIN_VALUE: none held.
     */
    public long holdUpTo = Long.MIN_VALUE;

    public ElectionProgress() {}
}
