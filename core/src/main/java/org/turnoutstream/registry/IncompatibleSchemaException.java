package org.turnoutstream.registry;

/** The registry rejected a schema under the subject's compatibility rule (HTTP 409). */
public class IncompatibleSchemaException extends RegistryException {
    private static final long serialVersionUID = 1L;
    private final String subject;

    public IncompatibleSchemaException(String subject, String registryMessage, int httpStatus, int errorCode) {
        super("schema incompatible with subject " + subject + ": " + registryMessage, httpStatus, errorCode);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
