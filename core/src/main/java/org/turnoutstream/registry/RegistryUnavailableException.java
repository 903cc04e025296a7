package org.turnoutstream.registry;

/**
 * The registry could not be reached or kept failing (connection refused, timeouts, HTTP 5xx)
 * for longer than the retry budget. Never a reason to dead-letter a record: the record is
 * probably fine, so the job must fail and be restarted from its last checkpoint.
 */
public class RegistryUnavailableException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public RegistryUnavailableException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }

    private RegistryUnavailableException(String message, int httpStatus, int errorCode, boolean stackTrace) {
        super(message, httpStatus, errorCode, stackTrace);
    }

    /**
     * Without a stack trace or cause: the failure that makes the job restart is then one line in the log, not a
     * hundred at every restart while the registry is down (the message says what failed).
     */
    public static RegistryUnavailableException quiet(String message, int httpStatus, int errorCode) {
        return new RegistryUnavailableException(message, httpStatus, errorCode, false);
    }
}
