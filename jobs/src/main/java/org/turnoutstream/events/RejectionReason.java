package org.turnoutstream.events;

/** Why a record went to the dead-letter topic; written to its {@code dlq.reason} header. */
public enum RejectionReason {
    EMPTY_VALUE,
    BAD_MAGIC_BYTE,
    TRUNCATED_HEADER,
    UNKNOWN_SCHEMA_ID,
    CORRUPT_AVRO,
    UNKNOWN_ELECTION,
    UNKNOWN_BRANCH,
    WRONG_CONSTITUENCY,
    NEGATIVE_COUNT,
    COUNT_TOO_LARGE,
    COUNT_ABOVE_CAPACITY,
    NEGATIVE_SEQUENCE,
    EVENT_TIME_OUT_OF_RANGE
}
