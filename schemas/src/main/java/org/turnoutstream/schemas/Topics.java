package org.turnoutstream.schemas;

/** Kafka topic names of the Turnout Stream pipeline. */
public final class Topics {
    /** {@code TurnoutReport} values keyed by branch id. */
    public static final String TURNOUT = "branch.turnout";
    /** {@code ConnectivityEvent} values keyed by branch id. */
    public static final String CONNECTIVITY = "branch.connectivity";
    /** {@code BranchAlert} values (Confluent wire format) keyed by branch id, or constituency id; written exactly once. */
    public static final String ALERTS = "branch.alerts";
    /** Records the jobs could not decode or validate, with the reason in the headers. */
    public static final String DEAD_LETTER = "turnout.dlq";

    private Topics() {}
}
