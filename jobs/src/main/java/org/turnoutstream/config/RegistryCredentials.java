package org.turnoutstream.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.registry.RegistryCredentialsRefusedException;

/**
 * Asks the schema registry once, before a job or a tool starts, whether it accepts the credentials: a registry that
 * refuses them would fail every decode (a job would restart over and over). Refused, it is one line naming the user,
 * never the password. An unreachable registry is not checked here: the job starts and its decoders wait for it, as during
 * an outage; a tool reports it where it first needs the registry.
 */
public final class RegistryCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryCredentials.class);

    private RegistryCredentials() {}

    /** The registry refused the credentials; the message is the one line to show. */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /** One request to {@code registry}: {@link Refused} for HTTP 401/403; anything else (unreachable) is left for later. */
    public static void check(RegistryConfig registry) {
        try {
            new ConfluentRegistryClient(registry).checkCredentials();
        } catch (RegistryCredentialsRefusedException e) {
            throw new Refused(e.getMessage() + ": check --registry-user and --registry-password(-file)");
        } catch (RuntimeException unreachableOrOther) {
            // (an outage of the registry is the decoders' to report, in its two lines)
            LOG.debug("could not check the schema registry's credentials now: {}", unreachableOrOther.getMessage());
        }
    }
}
