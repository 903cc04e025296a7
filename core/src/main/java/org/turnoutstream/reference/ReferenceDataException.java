package org.turnoutstream.reference;

/** Reference data (constituencies, branches, election specs) is missing or invalid. Messages name the file and line. */
public class ReferenceDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReferenceDataException(String message) {
        super(message);
    }

    public ReferenceDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
