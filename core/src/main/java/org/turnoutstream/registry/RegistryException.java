package org.turnoutstream.registry;

/**
 * The schema registry refused or could not answer a request. Unchecked: none of these is a
 * property of a single record, so a streaming job should fail (and restart) rather than
 * dead-letter on them. The subclasses say which case it was.
 */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;
    private final int errorCode;

    public RegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** {@code stackTrace} false: none is recorded (an expected failure reported in one line). */
    protected RegistryException(String message, int httpStatus, int errorCode, boolean stackTrace) {
        super(message, null, false, stackTrace);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    /** HTTP status of the failed answer, -1 if there was none. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent {@code error_code} of the failed answer, -1 if there was none. */
    public int errorCode() {
        return errorCode;
    }
}
