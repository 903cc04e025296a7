package org.turnoutstream.registry;

/** The registry has no schema with the requested id (HTTP 404, error code 40403). */
public class UnknownSchemaIdException extends RegistryException {
    private static final long serialVersionUID = 1L;
    private final int schemaId;

    public UnknownSchemaIdException(int schemaId, String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
