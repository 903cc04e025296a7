package org.turnoutstream.events;

import java.io.IOException;

/**
 * A Kafka value that is not a readable Confluent-framed Avro record. This is a property of the
 * record itself, so the jobs dead-letter it with {@link #reason()} and a short message; the
 * stack trace carries nothing useful and is not filled in.
 */
public class DecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a value could not be decoded; stable names, used as dead-letter reasons. */
    public enum Reason {
        EMPTY_VALUE,
        BAD_MAGIC_BYTE,
        TRUNCATED_HEADER,
        UNKNOWN_SCHEMA_ID,
        CORRUPT_AVRO
    }

    private final Reason reason;

    public DecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // bad records can arrive by the thousand; capturing a stack for each is wasted work
        return this;
    }

    @Override
    public String toString() {
        return reason + ": " + getMessage();
    }
}
