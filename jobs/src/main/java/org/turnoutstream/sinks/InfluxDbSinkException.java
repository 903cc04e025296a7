package org.turnoutstream.sinks;

import java.io.IOException;

/** A failure the InfluxDB sink cannot get past by retrying; it fails the job with a readable cause. */
public final class InfluxDbSinkException extends IOException {
    private static final long serialVersionUID = 1L;

    public InfluxDbSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
