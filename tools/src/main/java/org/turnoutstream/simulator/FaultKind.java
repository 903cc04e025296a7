package org.turnoutstream.simulator;

/** What, if anything, the simulator did to a record on purpose. */
public enum FaultKind {
    NONE,
    /** A second copy of a valid report (identical bytes), sent a little later. */
    DUPLICATE,
    /** A valid report held back behind later reports of its branch. */
    REORDERED,
    /** A valid report held back for minutes, then sent. */
    LATE,
    /** A valid report (or LINK_DOWN) buffered during its branch's link outage, sent on recovery. */
    BRANCH_OUTAGE,
    /** A valid report (or LINK_DOWN) buffered while its whole constituency was cut off, sent on recovery. */
    REGION_OUTAGE,
    /** Raw bytes that do not start with the Confluent magic byte 0 (a gateway sending JSON). */
    BAD_MAGIC_BYTE,
    /** A framed TurnoutReport whose Avro body is cut short. */
    CORRUPT_AVRO,
    /** A well-formed report from a branch that is not in the reference data. */
    UNKNOWN_BRANCH,
    /** A well-formed report filed under a constituency its branch does not belong to. */
    WRONG_CONSTITUENCY,
    /** A well-formed report with a negative ballotsCast. */
    NEGATIVE_COUNT;

    /** True when the record must be rejected by the job (dead letter) and never counts. */
    public boolean isMalformed() {
        return ordinal() >= BAD_MAGIC_BYTE.ordinal();
    }

    /** The malformed kinds, in a fixed order. */
    public static final FaultKind[] MALFORMED = {BAD_MAGIC_BYTE, CORRUPT_AVRO, UNKNOWN_BRANCH, WRONG_CONSTITUENCY, NEGATIVE_COUNT};
}
