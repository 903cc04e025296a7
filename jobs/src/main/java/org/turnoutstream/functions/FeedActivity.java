package org.turnoutstream.functions;

/**
 * What one subtask heard of an election's feed since its last summary ({@link FeedActivitySummary}): the heard time of
 * the first signal and the latest heard time. The {@link FeedWatchdog} reads these instead of every signal.
 */
public class FeedActivity {
    public String election;
    public long firstHeardAt;
    public long latestHeardAt;

    public FeedActivity() {}

    public FeedActivity(String election, long firstHeardAt, long latestHeardAt) {
        this.election = election;
        this.firstHeardAt = firstHeardAt;
        this.latestHeardAt = latestHeardAt;
    }

    @Override
    public String toString() {
        return "FeedActivity{" + election + " first=" + firstHeardAt + " latest=" + latestHeardAt + "}";
    }
}
