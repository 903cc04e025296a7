package org.turnoutstream.registry;

/** The registry refused the client's credentials (HTTP 401 or 403): a configuration mistake, never retried. */
public class RegistryCredentialsRefusedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryCredentialsRefusedException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}
