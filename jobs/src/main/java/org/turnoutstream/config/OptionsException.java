package org.turnoutstream.config;

/** Options a user got wrong (an unknown option, a missing or bad value): the message says which and why; no cause, no stack trace needed. */
public final class OptionsException extends IllegalArgumentException {
    public OptionsException(String message) {
        super(message);
    }
}
